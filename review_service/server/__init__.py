"""The HTTP server: ``create_app(settings)`` mounts the API (:mod:`review_service.api`) and the pages
(:mod:`review_service.web`); models load in the lifespan, never at import."""
from __future__ import annotations

from review_service.server.app import create_app

__all__ = ["create_app"]
