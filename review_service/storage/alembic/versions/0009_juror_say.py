"""0009: the juror's own say — declarations (no conflict / conflict / abstain) and deadline extensions; an
account's e-mail and interface language (for reminders). Additive only (issue 23, item 4).

A round or edition id can be added to both tables later as a column (and to their unique key).

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "juror_declarations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("juror_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # none | conflict | abstain
        sa.Column("reason", sa.Text, nullable=False, server_default=""),  # a short code (permissions.DECLARATION_REASONS)
        sa.Column("note", sa.Text, nullable=False, server_default=""),  # the juror's free text
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.UniqueConstraint("entry_id", "juror_id", name="uq_juror_declarations_pair"),
    )
    op.create_table(
        "deadline_extensions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.Text, nullable=False),  # juror | entry
        sa.Column("target", sa.Text, nullable=False),  # the juror id or the entry id
        sa.Column("until", sa.Text, nullable=False),  # ISO 8601 with offset
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.Text))
        batch.add_column(sa.Column("lang", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("lang")
        batch.drop_column("email")
    op.drop_table("deadline_extensions")
    op.drop_table("juror_declarations")
