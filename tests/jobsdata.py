"""Small English batches for the job tests (the tiny English embedder runs them in seconds)."""
from __future__ import annotations

from pathlib import Path

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
