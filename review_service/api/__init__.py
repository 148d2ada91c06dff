"""HTTP API for the jury dashboard: ``create_app(settings)``; models load in the lifespan, never at import."""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
