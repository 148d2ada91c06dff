"""0007: the sign-in throttle — recent wrong passwords per account and per client address (issue 20).

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.Text, primary_key=True),  # login:<case-folded login> | client:<address>
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure", sa.Float),  # seconds since the epoch
        sa.Column("locked_until", sa.Float),  # seconds since the epoch; null: not locked
        sa.Column("refused", sa.Integer, nullable=False, server_default="0"),  # 1 once a refusal of this lock is audited
    )


def downgrade() -> None:
    op.drop_table("signin_throttle")
