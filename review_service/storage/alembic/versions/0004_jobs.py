"""0004: pre-screening jobs — a queue in the database that workers take from (issue 16).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False, server_default="screen"),
        sa.Column("state", sa.Text, nullable=False),  # queued | running | done | failed | cancelled
        sa.Column("params", sa.Text, nullable=False),  # JSON: folder, options, out_dir
        sa.Column("stage", sa.Text, nullable=False, server_default=""),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stages_done", sa.Text, nullable=False, server_default="{}"),  # JSON: stage → seconds
        sa.Column("errors", sa.Text, nullable=False, server_default="[]"),  # JSON: per-file errors
        sa.Column("timings", sa.Text, nullable=False, server_default="{}"),  # JSON: stage → seconds, as timings_s
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("worker", sa.Text),
        sa.Column("heartbeat_at", sa.Float),  # seconds since the epoch
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text),
        sa.Column("finished_at", sa.Text),
    )
    op.create_index("jobs_state", "jobs", ["state", "id"])


def downgrade() -> None:
    op.drop_index("jobs_state", "jobs")
    op.drop_table("jobs")
