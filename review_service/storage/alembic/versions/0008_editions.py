"""0008: editions — the contest's years. Each edition owns its batches, entries, rubric versions, jury, assignments,
reviews, scores, decisions and flag reviews; closing one carries its entries into the archive (issue 23).

The existing single-contest database becomes edition 1, "default", with every row kept: the owning tables get an
``edition_id`` column whose default is 1 (SQLite and PostgreSQL add such a column without rewriting a row), and
the jury's roster becomes edition 1's jury. The audit log is not touched (no row is changed, none is added: the
migration has no audit key), so its chain verifies as before. An edition's set-up columns (deadlines, age limit,
file-name rule, blind review …) left empty read the process settings (``core/config.py``), which is what the
default edition did before.

A table of rounds keyed by edition (issue 23 item 3) can be added next without changing these.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OWNED = ("batches", "submissions", "ai_results", "rubrics", "reviews", "scores", "decisions", "assignments",
         "flag_reviews", "jobs")


def upgrade() -> None:
    conn = op.get_bind()
    editions = op.create_table(
        "editions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),  # "3.0"
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="open"),  # open | screening | final | closed
        sa.Column("language", sa.Text),  # the language of the contest's documents (kk | ru | en); null: any
        sa.Column("contest_name", sa.Text),
        sa.Column("deadline", sa.Text),  # ISO 8601; null: the setting REVIEW_DEADLINE
        sa.Column("scoring_deadline", sa.Text),
        sa.Column("max_age", sa.Integer),
        sa.Column("filename_pattern", sa.Text),
        sa.Column("blind_review", sa.Boolean),
        sa.Column("copied_from", sa.Integer),  # the edition whose set-up this one copied
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("closed_at", sa.Text),
    )
    op.create_table(
        "edition_jury",  # who is on an edition's jury (profiles in jury_members)
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), primary_key=True),
        sa.Column("juror_id", sa.Text, primary_key=True),
        sa.Column("added_at", sa.Text, nullable=False),
    )
    op.create_table(
        "archive_entries",  # past projects: entries of closed editions and imported past editions
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.Text, nullable=False, unique=True),  # what search and duplicates call it
        sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
        sa.Column("entry_id", sa.Text),  # the submission it was, for an edition closed in the service
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.Text, nullable=False, server_default="und"),
        sa.Column("year", sa.Integer),
        sa.Column("themes", sa.Text, nullable=False, server_default="[]"),  # JSON list of labels
        sa.Column("region", sa.Text, nullable=False, server_default=""),
        sa.Column("library_type", sa.Text, nullable=False, server_default=""),
        sa.Column("outcome", sa.Text, nullable=False, server_default="participant"),
        sa.Column("meta", sa.Text, nullable=False, server_default="{}"),  # JSON: other fields of the source
        sa.Column("source", sa.Text, nullable=False),  # closed | imported
        sa.Column("text_sha256", sa.Text, nullable=False),
        sa.Column("added_at", sa.Text, nullable=False),
    )
    op.create_index("archive_entries_edition", "archive_entries", ["edition_id"])
    for table in OWNED:
        op.add_column(table, sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"))
        op.create_index(f"{table}_edition", table, ["edition_id"])
    started = conn.execute(sa.text("SELECT MIN(started_at) FROM batches")).scalar()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    year = int(str(started)[:4]) if started and str(started)[:4].isdigit() else datetime.now(UTC).year
    op.bulk_insert(editions, [{"id": 1, "name": "default", "year": year, "state": "open",
                               "actor": "system:migration-0008", "created_at": stamp}])
    if conn.dialect.name == "postgresql":  # the explicit id 1 must not be handed out again
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('editions', 'id'), 1)"))
    conn.execute(sa.text("INSERT INTO edition_jury (edition_id, juror_id, added_at) "
                         "SELECT 1, juror_id, :at FROM jury_members"), {"at": stamp})


def downgrade() -> None:
    for table in OWNED:
        op.drop_index(f"{table}_edition", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("edition_id")
    op.drop_index("archive_entries_edition", "archive_entries")
    op.drop_table("archive_entries")
    op.drop_table("edition_jury")
    op.drop_table("editions")
