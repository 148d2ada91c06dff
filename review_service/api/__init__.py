"""The HTTP API (JSON, problem+json errors): one router per resource; :mod:`review_service.server` mounts them."""
