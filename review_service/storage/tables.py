"""The tables as the queries see them (SQLAlchemy Core), at the newest migration.

Migrations (``alembic/versions``) create and change them; this module only describes them for queries. A test
checks that the two agree on every table and column.
"""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

batches = sa.Table(
    "batches", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("started_at", sa.Text, nullable=False),
    sa.Column("finished_at", sa.Text),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("entry_id", sa.Text, primary_key=True),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("stored_as", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # the screening record (JSON, docs/screening-schema.md)
    sa.Column("first_seen", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

documents = sa.Table(
    "documents", metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("parser_version", sa.Text, primary_key=True),
    sa.Column("parsed", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

forms = sa.Table(
    "forms", metadata,
    sa.Column("file_name", sa.Text, primary_key=True),  # NFC, case-folded
    sa.Column("row", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.Text, nullable=False),
)

ai_results = sa.Table(
    "ai_results", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id")),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("provenance", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

embeddings = sa.Table(
    "embeddings", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("model_id", sa.Text, primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32
)

scores = sa.Table(
    "scores", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("juror_id", sa.Text, nullable=False),
    sa.Column("criterion", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

decisions = sa.Table(
    "decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),  # a person's login, or 'system:<stage>' for AI drafts
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Column("before", sa.Text),  # JSON: the object before a change (null for a creation)
    sa.Column("after", sa.Text),  # JSON: the object after it
    sa.Column("prev_hash", sa.Text, nullable=False, server_default=""),  # the previous record's hash (chain)
    sa.Column("hash", sa.Text, nullable=False, server_default=""),  # storage.audit.record_hash
    sa.Column("seq", sa.Integer, unique=True),  # the record's position in the chain, 1-based (migration 0006)
    sa.Column("mac", sa.Text),  # HMAC-SHA256 under the audit key (storage.audit_anchor); null: unsigned legacy
    sa.Column("key_id", sa.Text),  # which key made ``mac`` (its fingerprint, never the key)
)

note_cache = sa.Table(
    "note_cache", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("doc_id", sa.Text, nullable=False),
    sa.Column("note_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("login", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("role", sa.Text, nullable=False),  # admin | organizer | juror
    sa.Column("juror_id", sa.Text, unique=True),  # a profile of jury_members (one account each), as matching uses
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("password_changed_at", sa.Text, nullable=False),
    sa.Column("email", sa.Text),  # where reminders go (migration 0009); null: none known
    sa.Column("lang", sa.Text),  # the interface language last chosen at sign-in: kk | ru | en (0009)
)

jury_members = sa.Table(  # the jury: juror profiles from the jurors file (users import, a screen with jurors)
    "jury_members", metadata,
    sa.Column("juror_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("profile", sa.Text, nullable=False, server_default="{}"),  # JSON: the jurors file's line
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("added_at", sa.Text, nullable=False),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_sha256", sa.Text, primary_key=True),  # only the token's SHA-256 is kept
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text),
)

rubrics = sa.Table(
    "rubrics", metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("criteria", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("entry_id", sa.Text, primary_key=True),
    sa.Column("juror_id", sa.Text, primary_key=True),
    sa.Column("rubric_version", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # draft | submitted
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),  # +1 per save, submit or reopen
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.Text),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("state", sa.Text, nullable=False),  # draft | published; rows are never changed, only added
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

flag_reviews = sa.Table(
    "flag_reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.Text, nullable=False),  # duplicate | precheck | note
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

jobs = sa.Table(
    "jobs", metadata,
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
    sa.Column("edition_id", sa.Integer, nullable=False, server_default="1"),  # editions.id (migration 0008)
)

signin_throttle = sa.Table(
    "signin_throttle", metadata,
    sa.Column("key", sa.Text, primary_key=True),  # login:<case-folded login> | client:<address>
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failure", sa.Float),  # seconds since the epoch
    sa.Column("locked_until", sa.Float),  # seconds since the epoch; null: not locked
    sa.Column("refused", sa.Integer, nullable=False, server_default="0"),  # 1 once a refusal of this lock is audited
)

juror_declarations = sa.Table(  # a juror's own say on an entry, made once per pair (migration 0009)
    "juror_declarations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("juror_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # none | conflict | abstain
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.UniqueConstraint("entry_id", "juror_id", name="uq_juror_declarations_pair"),
)

deadline_extensions = sa.Table(  # an organizer's later scoring deadline for one juror or one entry (0009)
    "deadline_extensions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.Text, nullable=False),  # juror | entry
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("until", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
)

editions = sa.Table(  # the contest's years (migration 0008; storage.edition_store)
    "editions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="open"),  # open | screening | final | closed
    sa.Column("language", sa.Text),  # the set-up columns below: null reads the process setting
    sa.Column("contest_name", sa.Text),
    sa.Column("deadline", sa.Text),
    sa.Column("scoring_deadline", sa.Text),
    sa.Column("max_age", sa.Integer),
    sa.Column("filename_pattern", sa.Text),
    sa.Column("blind_review", sa.Boolean),
    sa.Column("copied_from", sa.Integer),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("closed_at", sa.Text),
)

edition_jury = sa.Table(  # who is on an edition's jury (profiles in jury_members)
    "edition_jury", metadata,
    sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), primary_key=True),
    sa.Column("juror_id", sa.Text, primary_key=True),
    sa.Column("added_at", sa.Text, nullable=False),
)

archive_entries = sa.Table(  # past projects: entries of closed editions and imported past editions
    "archive_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.Text, nullable=False, unique=True),
    sa.Column("edition_id", sa.Integer, sa.ForeignKey("editions.id"), nullable=False),
    sa.Column("entry_id", sa.Text),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False, server_default="und"),
    sa.Column("year", sa.Integer),
    sa.Column("themes", sa.Text, nullable=False, server_default="[]"),
    sa.Column("region", sa.Text, nullable=False, server_default=""),
    sa.Column("library_type", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text, nullable=False, server_default="participant"),
    sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
    sa.Column("source", sa.Text, nullable=False),  # closed | imported
    sa.Column("text_sha256", sa.Text, nullable=False),
    sa.Column("added_at", sa.Text, nullable=False),
)
