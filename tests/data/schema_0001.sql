-- 0001: intake, parse cache, forms, AI results (drafts), embedding cache, human actions and the audit log.
CREATE TABLE batches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
);

-- One row per (content, original file name). Taking the same file in again changes nothing.
CREATE TABLE submissions (
    entry_id      TEXT PRIMARY KEY,
    sha256        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    stored_as     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('ok', 'needs_attention', 'failed')),
    record        TEXT NOT NULL,          -- the screening record (JSON, schema in docs/screening-schema.md)
    first_seen    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    batch_id      INTEGER REFERENCES batches(id),
    UNIQUE (sha256, file_name)
);

-- Parse results by content hash and parser version: a file is parsed once.
CREATE TABLE documents (
    sha256          TEXT NOT NULL,
    parser_version  TEXT NOT NULL,
    parsed          TEXT NOT NULL,        -- JSON: format, blocks with anchors, pages/slides/duration, warnings
    created_at      TEXT NOT NULL,
    PRIMARY KEY (sha256, parser_version)
);

CREATE TABLE forms (
    file_name     TEXT PRIMARY KEY,       -- NFC, case-folded
    row           TEXT NOT NULL,
    loaded_at     TEXT NOT NULL
);

-- AI outputs: drafts, flags and suggestions, always with provenance. Never a score or a decision.
CREATE TABLE ai_results (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id      INTEGER REFERENCES batches(id),
    stage         TEXT NOT NULL,          -- duplicates | themes | affinity | assignment_suggestion | notes | relevance
    payload       TEXT NOT NULL,
    provenance    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE embeddings (
    key           TEXT NOT NULL,          -- sha256 of (kind, text)
    model_id      TEXT NOT NULL,
    vector        BLOB NOT NULL,          -- float32
    PRIMARY KEY (key, model_id)
);

-- Human actions. Only review_service.scoring writes these, always for a named person.
CREATE TABLE scores (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id      TEXT NOT NULL,
    juror_id      TEXT NOT NULL,
    criterion     TEXT NOT NULL,
    value         REAL NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL CHECK (length(actor) > 0),
    at            TEXT NOT NULL,
    UNIQUE (entry_id, juror_id, criterion)
);

CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('eligibility', 'final_assignment', 'finalist', 'award')),
    value         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL CHECK (length(actor) > 0),
    at            TEXT NOT NULL
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,          -- a person's name/login, or 'system:<stage>' for AI drafts
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log(subject);
