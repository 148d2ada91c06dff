"""0003: the jury's service — people and sessions, rubrics, reviews, assignments, flag reviews; the audit log
becomes a hash chain (before/after, prev_hash, hash) and append-only.

Existing audit rows are chained here, in id order, with the same hash the service computes
(``storage.audit.record_hash``). Then triggers refuse UPDATE and DELETE on ``audit_log`` (PostgreSQL: a plpgsql
trigger function; SQLite: ``RAISE(ABORT)`` triggers), so even SQL typed by hand cannot rewrite the record
without first dropping them — and ``review-service audit verify`` finds such a change anyway.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("login", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("juror_id", sa.Text),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("password_changed_at", sa.Text, nullable=False),
        sa.CheckConstraint("role IN ('admin', 'organizer', 'juror')", name="users_role"),
        sa.CheckConstraint("role <> 'juror' OR juror_id IS NOT NULL", name="users_juror_link"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
    )
    op.create_index("sessions_user", "sessions", ["user_id"])
    op.create_table(
        "rubrics",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("criteria", sa.Text, nullable=False),  # JSON list (scoring.Criterion)
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("juror_id", sa.Text, primary_key=True),
        sa.Column("rubric_version", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="reviews_status"),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),  # draft edits and publications each count up
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("state IN ('draft', 'published')", name="assignments_state"),
        sa.UniqueConstraint("state", "version"),
    )
    op.create_table(
        "flag_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.CheckConstraint("kind IN ('duplicate', 'precheck', 'note')", name="flag_reviews_kind"),
    )
    op.create_index("flag_reviews_target", "flag_reviews", ["kind", "target"])
    op.create_index("scores_juror", "scores", ["juror_id"])

    op.add_column("audit_log", sa.Column("before", sa.Text))
    op.add_column("audit_log", sa.Column("after", sa.Text))
    op.add_column("audit_log", sa.Column("prev_hash", sa.Text, nullable=False, server_default=""))
    op.add_column("audit_log", sa.Column("hash", sa.Text, nullable=False, server_default=""))
    _chain_existing()
    _append_only()


def _chain_existing() -> None:
    from review_service.storage.audit_chain import record_hash

    conn = op.get_bind()
    log = sa.table("audit_log", sa.column("id"), sa.column("at"), sa.column("actor"), sa.column("action"),
                   sa.column("subject"), sa.column("detail"), sa.column("before"), sa.column("after"),
                   sa.column("prev_hash"), sa.column("hash"))
    prev = GENESIS
    for row in list(conn.execute(sa.select(log).order_by(log.c.id)).mappings()):
        digest = record_hash(dict(row), prev)
        conn.execute(log.update().where(log.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
            END $$""")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
    else:
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END")
        op.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    with op.batch_alter_table("audit_log") as batch:
        for column in ("hash", "prev_hash", "after", "before"):
            batch.drop_column(column)
    op.drop_index("scores_juror", "scores")
    op.drop_index("flag_reviews_target", "flag_reviews")
    for table in ("flag_reviews", "assignments", "reviews", "rubrics", "sessions", "users"):
        op.drop_table(table)
