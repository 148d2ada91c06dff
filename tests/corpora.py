"""Small shared corpora for tests that need a few real projects to index (not files: see tests/files.py)."""
from __future__ import annotations

from review_service.core.domain import Document

THREE_PROJECTS = [
    Document("bot", "The district library runs a chatbot that answers readers' questions day and night.",
             "Chatbot for readers", "en", (), 2023, {}),
    Document("club", "Volunteers read fairy tales aloud at a weekly reading club for children.",
             "Reading club", "en", (), 2022, {}),
    Document("scan", "The national library scanned rare manuscripts and old newspapers into a digital archive.",
             "Digitising manuscripts", "en", (), 2024, {}),
]
"""Three short English projects on distinct subjects (a chatbot, a reading club, digitisation)."""
