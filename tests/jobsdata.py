"""Small English batches for the job tests (the tiny English embedder runs them in seconds), the environment of a
worker or ``screen`` subprocess, and what a batch produced (to compare an interrupted run with a whole one)."""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from review_service.core.config import Settings
from review_service.storage import open_database, tables

TINY = "all-minilm-l6-v2"
ROOT = Path(__file__).resolve().parents[1]

TOPICS = {
    "Ahmetova": ("chatbot", ("The library built a chatbot with artificial intelligence that answers readers at night. "
                 "It recommends books from the catalogue and explains how to renew a loan. In the first month "
                 "the chatbot answered 1200 questions and readers rated it 4.5 of 5.")),
    "Bekova": ("digitisation", ("Machine learning helps the library digitise rare manuscripts. Optical character "
               "recognition reads old Kazakh books and the metadata is generated automatically. Librarians check "
               "every record before it is published in the electronic catalogue.")),
    "Smith": ("accessibility", ("Text-to-speech tools read the news aloud for visitors with visual impairments. "
              "The library trained volunteers to help older readers. Audio books are produced with neural voices "
              "and shared with rural libraries of the region.")),
    "Ivanov": ("cataloguing", ("Automatic subject indexing assigns headings to new books. A neural network suggests "
               "classification codes and librarians confirm them. Cataloguing time fell from 20 minutes to 6 minutes "
               "per book.")),
    "Omarova": ("recommendations", ("A recommendation system suggests books to readers from their loan history. "
                "Young readers receive reading lists by email each week. Loans of fiction grew by a third.")),
}


def write_batch(folder: Path, n: int = 5, *, paragraphs: int = 4) -> list[Path]:
    """``n`` entries (cycling the topics; the sixth onwards are near copies), each a few paragraphs long."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(TOPICS)
    paths = []
    for i in range(n):
        surname = names[i % len(names)]
        topic, text = TOPICS[surname]
        body = "\n\n".join(f"Part {p + 1} about the {topic} project. {text}" for p in range(paragraphs))
        suffix = "" if i < len(names) else f"{i}"
        path = folder / f"ЖИ байқауы_{surname}{suffix}.txt"
        path.write_text(f"{topic.title()} in our library\n\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def worker_env(settings: Settings) -> dict[str, str]:
    """A subprocess's environment: these settings (tiny embedder, quick heartbeats) and nothing else REVIEW_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEW_")}
    env.update(REVIEW_ENVIRONMENT="test", REVIEW_DATA_DIR=str(settings.data_dir), REVIEW_EMBEDDER=TINY,
               REVIEW_DATABASE_URL=settings.database_url, REVIEW_JOB_HEARTBEAT_S="0.3", REVIEW_JOB_STALE_S="2",
               REVIEW_MODELS_DIR=str(settings.models_dir), REVIEW_EMBED_BATCH=str(settings.embed_batch),
               PYTHONPATH=str(ROOT))
    return env


def batch_results(settings: Settings, batch_id: int) -> dict:
    """What a batch produced, without times: records, and each stage's stored draft (exactly one per stage)."""
    db = open_database(settings)
    try:
        c = tables.ai_results.c
        with db.engine.connect() as conn:
            counts = dict(conn.execute(sa.select(c.stage, sa.func.count()).where(c.batch_id == batch_id)
                                       .group_by(c.stage)).all())
        drafts = {}
        for stage in counts:
            payload = db.latest_ai_result(stage, batch_id)["payload"]
            if stage == "notes":
                for note in payload:
                    note["provenance"].pop("created_at")
            drafts[stage] = payload
        records = sorted(db.submissions(batch_id=batch_id), key=lambda r: r["entry_id"])
        return {"counts": counts, "drafts": drafts, "records": records}
    finally:
        db.close()
