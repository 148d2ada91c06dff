"""0005: the jury's roster (juror profiles from the jurors file), and at most one account per juror profile.

The roster is filled from the juror profiles already known (juror accounts and every stored assignment
suggestion). Two accounts linked to one profile stop the upgrade with their logins named: an administrator
disables or relinks one first (a second account could edit the other's reviews).

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    shared = conn.execute(sa.text(
        "SELECT juror_id, COUNT(*) AS n FROM users WHERE juror_id IS NOT NULL GROUP BY juror_id HAVING COUNT(*) > 1"
    )).fetchall()
    if shared:
        named = "; ".join(
            f"{row[0]}: " + ", ".join(r[0] for r in conn.execute(
                sa.text("SELECT login FROM users WHERE juror_id = :j ORDER BY id"), {"j": row[0]}))
            for row in shared)
        raise RuntimeError(f"several accounts are linked to one juror profile ({named}); keep one per profile "
                           "(delete or relink the others in the users table) and run the upgrade again")
    roster = op.create_table(
        "jury_members",
        sa.Column("juror_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("profile", sa.Text, nullable=False, server_default="{}"),  # JSON: the jurors file's line
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),
    )
    op.create_index("users_juror_id", "users", ["juror_id"], unique=True)
    known = {r[0]: r[1] or "" for r in conn.execute(
        sa.text("SELECT juror_id, name FROM users WHERE juror_id IS NOT NULL"))}
    for (payload,) in conn.execute(sa.text("SELECT payload FROM ai_results WHERE stage = 'assignment_suggestion'")):
        for juror in (json.loads(payload).get("matrix") or {}).get("jurors", []):
            known.setdefault(juror, "")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    if known:
        op.bulk_insert(roster, [{"juror_id": j, "name": n, "profile": "{}", "actor": "system:migration-0005",
                                 "added_at": stamp} for j, n in sorted(known.items())])


def downgrade() -> None:
    op.drop_index("users_juror_id", "users")
    op.drop_table("jury_members")
