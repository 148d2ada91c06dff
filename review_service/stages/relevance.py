""""Is this about AI in library services?" — a pre-check by comparison, never a verdict.

An entry's passages are compared with short descriptions of the contest's subject (AI used in library
services, in kk/ru/en) and with contrasting descriptions (library work without AI; AI outside libraries;
unrelated subjects). The check passes when the best on-subject passage is closer to the subject than to every
contrast; otherwise it warns and names the nearest contrast. It never fails: the jury decides.
Comparing against contrasts instead of a fixed cosine threshold keeps it stable across embedders and languages.
"""
from __future__ import annotations

import numpy as np

from review_service.core.domain import Check, Document

ON_TOPIC = [
    "A library uses artificial intelligence to improve services for readers: chatbots, recommendations, search.",
    "Machine learning for library cataloguing, metadata generation and subject indexing.",
    "AI-based OCR and digitisation of rare books and manuscripts in a library.",
    "Text-to-speech and AI tools that make the library accessible to readers with visual impairments.",
    "Библиотека использует искусственный интеллект: чат-бот для читателей, рекомендации книг, умный поиск.",
    "Нейросети в библиотечной работе: каталогизация, метаданные, оцифровка фондов, аналитика читателей.",
    "Кітапхана жасанды интеллектіні қолданады: оқырмандарға арналған чат-бот, кітап ұсыну, іздеу.",
    "Кітапхана қорын цифрландыру, каталогтау және оқырмандарға қызмет көрсетуде жасанды интеллект пен нейрожелілер.",
]
CONTRASTS = {
    "library work without AI": [
        "The library held a book exhibition, a reading club and a meeting with a local writer.",
        "Библиотека провела книжную выставку, литературный вечер и встречу с писателем.",
        "Кітапхана кітап көрмесін, оқу клубын және жазушымен кездесу өткізді.",
    ],
    "AI outside libraries": [
        "Artificial intelligence in medicine, banking and manufacturing improves diagnostics and forecasting.",
        "Искусственный интеллект в медицине, банках и промышленности.",
        "Жасанды интеллект медицинада, банк ісінде және өндірісте қолданылады.",
    ],
    "an unrelated subject": [
        "Football match results, weather forecast and cooking recipes.",
        "Результаты футбольного матча, прогноз погоды и кулинарные рецепты.",
        "Футбол матчының нәтижелері, ауа райы болжамы және тағам рецептері.",
    ],
}
CONTRAST_CODES = {"library work without AI": "contrast.library_without_ai",
                  "AI outside libraries": "contrast.ai_outside_libraries",
                  "an unrelated subject": "contrast.unrelated"}  # core.messages.VALUES words them
MARGIN = 0.0


class RelevanceChecker:
    """Encodes the prototypes once; ``check(document, chunk_vectors)`` is then cheap."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self.on = encoder.encode(ON_TOPIC, kind="document")
        self.contrast_names = []
        texts = []
        for name, items in CONTRASTS.items():
            self.contrast_names += [name] * len(items)
            texts += items
        self.off = encoder.encode(texts, kind="document")

    def check(self, document: Document, chunk_vectors: np.ndarray) -> Check:
        if not len(chunk_vectors):
            return Check("topic", "warn", "no text to compare with the contest's subject", "", "topic.no_text")
        on = chunk_vectors @ self.on.T  # chunks × prototypes
        doc = chunk_vectors.mean(axis=0)
        doc /= np.linalg.norm(doc) or 1.0
        best_chunk = int(on.max(axis=1).argmax())
        chunk = document.chunks[best_chunk] if document.chunks else None
        evidence = f"{chunk.anchor.label()}: {chunk.text[:200]}" if chunk else ""
        on_doc, off_doc = float((self.on @ doc).max()), self.off @ doc
        nearest = int(off_doc.argmax())
        params = {"on": round(on_doc, 2), "off": round(float(off_doc[nearest]), 2),
                  "nearest": CONTRAST_CODES[self.contrast_names[nearest]]}
        if on_doc > float(off_doc[nearest]) + MARGIN:
            return Check("topic", "pass", f"about AI in library services (similarity {on_doc:.2f} vs "
                         f"{float(off_doc[nearest]):.2f} for {self.contrast_names[nearest]}); the jury confirms",
                         evidence, "topic.on", params)
        return Check("topic", "warn", f"closer to {self.contrast_names[nearest]} ({float(off_doc[nearest]):.2f}) than "
                     f"to AI in library services ({on_doc:.2f}); the jury should look", evidence, "topic.off", params)
