"""0001: intake, parse cache, forms, AI results (drafts), embedding cache, human actions and the audit log.

The same schema as the hand-written ``0001_initial.sql`` that databases made before Alembic carry; such a
database is stamped 0001 when first opened and upgraded from there (``storage.migrate``).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
    )
    op.create_table(
        "submissions",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("stored_as", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("first_seen", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
        sa.UniqueConstraint("sha256", "file_name"),
        sa.CheckConstraint("status IN ('ok', 'needs_attention', 'failed')", name="submissions_status"),
    )
    op.create_table(
        "documents",
        sa.Column("sha256", sa.Text, primary_key=True),
        sa.Column("parser_version", sa.Text, primary_key=True),
        sa.Column("parsed", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "forms",
        sa.Column("file_name", sa.Text, primary_key=True),
        sa.Column("row", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.Text, nullable=False),
    )
    op.create_table(
        "ai_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("provenance", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "embeddings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("model_id", sa.Text, primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("juror_id", sa.Text, nullable=False),
        sa.Column("criterion", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.UniqueConstraint("entry_id", "juror_id", "criterion"),
        sa.CheckConstraint("length(actor) > 0", name="scores_actor"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.CheckConstraint("kind IN ('eligibility', 'final_assignment', 'finalist', 'award')", name="decisions_kind"),
        sa.CheckConstraint("length(actor) > 0", name="decisions_actor"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    for table in ("audit_log", "decisions", "scores", "embeddings", "ai_results", "forms", "documents",
                  "submissions", "batches"):
        op.drop_table(table)
