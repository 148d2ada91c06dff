"""review_service: offline, multilingual AI-assisted review for library-project contests.

AI drafts, flags and suggests; only a person's action writes a score, an eligibility decision
or a final assignment.
"""
from __future__ import annotations

__version__ = "0.1.0"
