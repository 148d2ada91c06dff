"""Provenance of an AI output: model id and revision, prompt name and version, input hash, time, software.

The one builder every stage and command uses (``docs/screening-schema.md``, ``provenance``).
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from review_service import __version__


def input_hash(payload: object) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (keys sorted; non-JSON values by ``str``)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def provenance(model: str, revision: str, payload: object, *, prompt: str = "", prompt_version: str = "",
               **extra: object) -> dict:
    """``{"model", "model_revision", "prompt", "prompt_version", "input_hash", "created_at", "software", …extra}``."""
    return {"model": model, "model_revision": revision, "prompt": prompt, "prompt_version": prompt_version,
            "input_hash": input_hash(payload), "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "software": f"review-service {__version__}", **extra}


def of_encoder(encoder: object, payload: object, **extra: Any) -> dict:
    """Provenance of an output computed with an embedder (``model_id``, ``revision``)."""
    return provenance(getattr(encoder, "model_id", ""), getattr(encoder, "revision", ""), payload, **extra)
