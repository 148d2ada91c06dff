"""0002: the notes cache moves into the database; indexes for the lookups the API and the pipeline make.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_cache",
        sa.Column("key", sa.Text, primary_key=True),  # notes.note_key: entry hash, model, prompt, language
        sa.Column("doc_id", sa.Text, nullable=False),
        sa.Column("note_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("submissions_status", "submissions", ["status"])
    op.create_index("submissions_batch", "submissions", ["batch_id"])
    op.create_index("ai_results_stage_batch", "ai_results", ["stage", "batch_id"])
    op.create_index("decisions_entry", "decisions", ["entry_id"])


def downgrade() -> None:
    op.drop_index("decisions_entry", "decisions")
    op.drop_index("ai_results_stage_batch", "ai_results")
    op.drop_index("submissions_batch", "submissions")
    op.drop_index("submissions_status", "submissions")
    op.drop_table("note_cache")
