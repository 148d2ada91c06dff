"""0006: the audit chain is anchored (issue 20) — each record gets its position (``seq``), an HMAC under a key
kept outside the database (``mac``) and that key's id (``key_id``).

Records made before this revision keep ``mac`` and ``key_id`` empty: ``audit verify`` reports them as unsigned
legacy records (they were never signed, and signing them now would vouch for what nobody checked). Their
``seq`` is filled here, in id order, with the append-only triggers of 0003 lifted for the update and put back
at once. A unique index on ``seq`` makes a forked chain impossible even if the append lock were bypassed.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
}


def _lift_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _restore_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.Integer))
    op.add_column("audit_log", sa.Column("mac", sa.Text))
    op.add_column("audit_log", sa.Column("key_id", sa.Text))
    conn = op.get_bind()
    log = sa.table("audit_log", sa.column("id"), sa.column("seq"))
    ids = [r[0] for r in conn.execute(sa.select(log.c.id).order_by(log.c.id))]
    if ids:
        _lift_triggers()
        for position, row_id in enumerate(ids, start=1):
            conn.execute(log.update().where(log.c.id == row_id).values(seq=position))
        _restore_triggers()
    op.create_index("audit_log_seq", "audit_log", ["seq"], unique=True)


def downgrade() -> None:
    op.drop_index("audit_log_seq", "audit_log")
    _lift_triggers()
    with op.batch_alter_table("audit_log") as batch:
        for column in ("key_id", "mac", "seq"):
            batch.drop_column(column)
    _restore_triggers()
