"""Settings: every knob of the service, read from the environment (prefix ``REVIEW_``).

Tests build their own ``Settings(...)``; the CLI and API call :func:`get_settings`.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_models_dir() -> Path:
    return Path.home() / ".cache" / "review-service" / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEW_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    # --- storage -------------------------------------------------------------------------------
    data_dir: Path = Path("var")
    """Where originals (content-addressed), caches and the default database live."""
    database_url: str = ""
    """``sqlite:///path/to/file.db``; empty means ``sqlite:///{data_dir}/review.db``."""

    edition: str = ""
    """The edition commands and requests act in when none is named (``--edition``, ``?edition=``); empty: the
    oldest edition that is not closed (docs/editions.md)."""

    # --- models --------------------------------------------------------------------------------
    models_dir: Path = Field(default_factory=_default_models_dir)
    """Cache of installed model weights, outside the checkout so clean clones reuse it."""
    embedder: str = "embeddinggemma-300m"
    embed_batch: int = Field(default=32, ge=1)
    """Chunks a screen's embed stage encodes at a time; a cancelled job stops between two such batches, each one
    already in the embedding cache."""
    generator_backend: Literal["local", "openai", "none"] = "local"
    generator: str = "qwen2.5-coder-1.5b-instruct"
    generator_url: str = ""
    """Base URL of an OpenAI-compatible endpoint (vLLM, Ollama, TGI) when generator_backend=openai."""
    generator_api_key: str = ""
    generator_remote_model: str = ""
    generator_languages: str = ""
    """Languages the generator writes well (e.g. "kk,ru,en" for a strong remote model); empty: the backend's own
    default (the packaged Qwen: ru,en — its Kazakh is not usable, so Kazakh notes stay extractive)."""
    speech_model: str = "whisper-base"
    dtype: Literal["auto", "bf16", "fp32"] = "auto"
    """auto: bf16 where the CPU supports it (AVX512-BF16/AMX), else fp32."""
    threads: int = 0
    """Torch threads; 0 means all cores."""

    # --- intake --------------------------------------------------------------------------------
    max_file_mb: float = 50.0
    max_media_mb: float = 500.0
    """Size limit for audio/video entries (a 3-minute 1080p video is often over max_file_mb)."""
    max_unpacked_mb: float = 300.0
    """Limit on the total uncompressed size of a DOCX/PPTX (zip-bomb guard)."""
    max_compression_ratio: float = 200.0
    max_media_minutes: float = 20.0
    ocr: Literal["auto", "off"] = "auto"
    ocr_languages: str = "kaz+rus+eng"
    render_originals: Literal["auto", "off"] = "auto"
    """auto: DOCX and PPTX originals are rendered to PDF with LibreOffice (``soffice``) when it is installed, so
    pages show them as PDFs (docs/pages.md, "Rendered originals"); off: none are made (pages show those made
    before, else the text)."""
    render_timeout_s: float = Field(default=120.0, gt=0)
    """The longest one LibreOffice conversion may run before it is stopped and recorded as failed."""
    chunk_chars: int = 900
    chunk_overlap_chars: int = 150

    # --- contest rules (advice for organizers, never automatic rejection) ---------------------
    contest_name: str = "Жаңа мүмкіндіктер уақыты 3.0"
    timezone: str = "Asia/Almaty"
    """The contest's time zone (an IANA name): every time a page, report or export shows is in it (Astana: UTC+5)."""
    deadline: datetime = datetime.fromisoformat("2026-11-15T23:59:59+05:00")
    max_age: int = 35
    presentation_minutes: float = 3.0
    presentation_tolerance: float = 0.34
    """Relative tolerance around presentation_minutes before the check warns."""
    allowed_library_types: tuple[str, ...] = ("public_mcib", "university", "college")
    """Public libraries of the Ministry of Culture and Information, university and college libraries."""
    seconds_per_slide: float = 20.0
    """Used to estimate a slide deck's speaking time."""
    filename_pattern: str = r"^(ЖИ|JI|ZhI|ZHI)[ _-]*(байқауы|baiqauy|bayqauy)[ _-]+[^\W\d_][\w-]*$"
    """The naming rule ``ЖИ байқауы_Тегі`` (AI contest_Surname), matched on the NFC stem, ignoring case."""

    # --- the jury's service ------------------------------------------------------------------
    blind_review: bool = True
    """While on, nothing sent to a juror holds an applicant's personal fields; entries show a neutral code."""
    scoring_deadline: datetime = datetime.fromisoformat("2026-11-20T23:59:59+05:00")
    """After this, jurors can no longer save or submit scores (an organizer can still reopen a review)."""
    declare_first: bool = False
    """While on, a juror's entry page shows only the declaration (no conflict / conflict / abstain) until the juror
    answers it; off: the declaration comes first on the page, above the original, the note and the rubric."""
    session_hours: float = Field(default=12.0, gt=0)
    """How long a session token (sign-in) lives."""
    cookie_secure: bool | None = None
    """The ``Secure`` flag on the session, CSRF and language cookies (sent over HTTPS only). Unset: on in
    production, off in development and test (so the demo and tests work over http://127.0.0.1)."""
    signin_free_failures: int = Field(default=5, ge=1)
    """Wrong passwords on one account, or from one client address, before sign-in backs off (docs/jury.md)."""
    signin_delay_s: float = Field(default=1.0, gt=0)
    """The first wait after ``signin_free_failures`` wrong passwords; each further one doubles it."""
    signin_max_delay_s: float = Field(default=900.0, gt=0)
    """The longest wait (15 minutes): a guesser can slow an account down, never lock its owner out for good."""
    signin_forget_s: float = Field(default=3600.0, gt=0)
    """Wrong passwords are forgotten this long after the latest one (the count starts again)."""
    smtp_host: str = ""
    """The mail server reminders go through (``review-service reminders``, the progress board); empty: no
    e-mail, reminders come as a CSV for a mail merge instead."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = ""
    """The sender address of reminders (required with ``smtp_host``)."""
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    """``starttls`` (port 587), ``ssl`` (implicit TLS, port 465), or ``none`` (a relay on this machine only)."""
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    """Sign-in to the mail server, from the environment (``REVIEW_SMTP_USER``, ``REVIEW_SMTP_PASSWORD``);
    never logged or shown."""
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    public_url: str = ""
    """The service's address as jurors reach it (e.g. ``https://jury.example.kz``), written in reminders; empty:
    reminders say only to sign in."""
    disagreement: float = Field(default=0.25, gt=0, le=1)
    """Results flag an entry when its jurors' totals spread over more than this share of the total's range."""
    audit_key: SecretStr = SecretStr("")
    """The audit trail's HMAC key (at least 32 characters); empty: the key file below. Several servers on one
    database must share it (docs/jury.md, "Audit trail")."""
    audit_key_file: Path | None = None
    """Where the audit key is kept when ``audit_key`` is empty (default ``{data_dir}/audit.key``, made with mode
    0600 on first use; a file others may read is refused). Back it up: without it the log cannot be verified."""
    audit_checkpoint: Path | None = None
    """The signed checkpoint of the audit chain's length and head (default ``{data_dir}/audit.checkpoint``);
    one per database."""

    # --- duplicates / themes / matching / search (stage-specific thresholds) ------------------
    dup_near_jaccard: float = 0.5
    dup_partial_containment: float = 0.35
    dup_semantic_margin: float = 1.06
    dup_semantic_coverage: float = 0.5
    dup_same_language_margin: float = 1.20
    """Same-language pairs need a larger margin (same-language bias of the embedder); see docs/duplicates.md."""
    dup_knn: int = 4
    dup_partial_min_shared: int = 8
    dup_partial_min_copied: int = 40
    """A verbatim passage of this many shared 5-word shingles (~45 words) is flagged as a partial copy."""
    dup_max_length_ratio: float = 1.6
    """Longer/shorter length above which a pair covered on both sides counts as partial, not a whole duplicate."""
    jurors_per_entry: int = 3

    # --- jobs and workers (docs/jobs.md) ------------------------------------------------------
    job_heartbeat_s: float = Field(default=5.0, gt=0)
    """How often a worker tells the database it is still running its job."""
    job_stale_s: float = Field(default=60.0, gt=0)
    """A running job whose last heartbeat is older than this is taken over by another worker."""
    server_folders: Path | None = None
    """``POST /batches`` with ``folder=`` reads only folders under this one (default: ``{data_dir}/incoming``)."""
    max_upload_files: int = Field(default=500, ge=1)
    max_upload_bytes: int = Field(default=1 << 30, ge=1)
    """The most bytes one request may send (``POST /batches``, the batch page: every file and field together, 1 GiB);
    over it the request is refused with 413 while it streams in, and nothing of it is kept."""
    query_cache_size: int = Field(default=4096, ge=0)
    """Query vectors kept per search engine (LRU; ~3 KB each): a repeated or paginated query is not embedded
    again. 0 turns the cache off."""
    query_encoder: Literal["auto", "onnx", "compiled", "eager"] = "auto"
    """How the API embeds a new question. ``onnx``: ONNX Runtime with 8-bit weights, built at install time
    (EmbeddingGemma on 2 cores: ~60 → ~32 ms a query; loads in seconds; see embeddings/onnx_query.py), required.
    ``auto`` (default): ``onnx`` when it is installed and verified, else eager; in the test environment eager.
    ``compiled``: ``torch.compile`` in the background (~40 ms a query, ~2 min of CPU at every start). ``eager``:
    plain sentence-transformers. Batch commands always encode eagerly, in batches."""
    compile_query_encoder: bool = False
    """Same as ``query_encoder=compiled`` (kept for existing set-ups): the API compiles the embedder in the background
    (~2 min of CPU at start-up) and switches only once the compiled vectors match the eager ones; until then, and
    on any failure, queries are embedded eagerly."""

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.environment == "production" and self.generator_backend == "openai" and not self.generator_url:
            raise ValueError("REVIEW_GENERATOR_URL must be set when REVIEW_GENERATOR_BACKEND=openai")
        if self.max_file_mb <= 0:
            raise ValueError("REVIEW_MAX_FILE_MB must be positive")
        try:
            ZoneInfo(self.timezone)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"REVIEW_TIMEZONE {self.timezone!r} is not an IANA time zone (e.g. Asia/Almaty)") from exc
        if self.cookie_secure is None:
            self.cookie_secure = self.environment == "production"
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'review.db'}"

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit.key"

    @property
    def audit_checkpoint_path(self) -> Path:
        return self.audit_checkpoint or self.data_dir / "audit.checkpoint"

    @property
    def originals_dir(self) -> Path:
        return self.data_dir / "originals"

    @property
    def renditions_dir(self) -> Path:
        return self.data_dir / "renditions"

    @property
    def stripped_dir(self) -> Path:
        """Recordings without their tags, for jurors in blind review (review_service/intake/recordings.py)."""
        return self.data_dir / "stripped"


EDITION_FIELDS = ("contest_name", "deadline", "scoring_deadline", "max_age", "filename_pattern", "blind_review")
"""The settings an edition may set for itself (its ``editions`` row; an empty column keeps the setting)."""


def for_edition(settings: Settings, edition: Mapping[str, Any] | None) -> Settings:
    """``settings`` with an edition's own set-up: its deadlines, age limit, file-name rule, blind review; the
    settings are the defaults for what the edition leaves empty."""
    if not edition:
        return settings
    update = {k: edition[k] for k in EDITION_FIELDS if edition.get(k) is not None}
    for key in ("deadline", "scoring_deadline"):
        if isinstance(update.get(key), str):
            update[key] = datetime.fromisoformat(update[key])
    if "blind_review" in update:
        update["blind_review"] = bool(update["blind_review"])
    return settings.model_copy(update=update) if update else settings


def edition_defaults(settings: Settings) -> dict[str, Any]:
    """A new edition's set-up when it copies no other: the settings' values, as the ``editions`` row keeps them."""
    return {"contest_name": settings.contest_name, "deadline": settings.deadline.isoformat(),
            "scoring_deadline": settings.scoring_deadline.isoformat(), "max_age": settings.max_age,
            "filename_pattern": settings.filename_pattern, "blind_review": settings.blind_review}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
