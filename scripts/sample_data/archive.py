"""Past projects (editions 2023–2025), composed from per-language building blocks with a fixed seed."""
from __future__ import annotations

import random

from . import archive_en, archive_kk, archive_ru
from .places import PLACES, library_name
from .planted import RESUBMITTED_ARCHIVE

BLOCKS = {"kk": archive_kk, "ru": archive_ru, "en": archive_en}
SEED = 20260101
N_GENERATED = 114


def _fill(template: str, values: dict[str, object]) -> str:
    return template.format(**values)


def _compose(rng: random.Random, lang: str, index: int) -> dict[str, object]:
    blocks = BLOCKS[lang]
    topic = rng.choice(sorted(blocks.TOPICS))
    spec = blocks.TOPICS[topic]
    year = rng.choice([2023, 2024, 2025])
    place = rng.choice(PLACES)
    library_type = rng.choices(["public_mcib", "university", "college"], weights=[70, 15, 15])[0]
    library = library_name(lang, library_type, place, rng.randrange(4))
    town = place[1][{"kk": 0, "ru": 1, "en": 2}[lang]]
    p_low = rng.randrange(12, 40)
    values = {
        "year": year, "library": library, "town": town, "town_gen": f"г. {town}",
        "n1": rng.randrange(12, 400), "n2": rng.randrange(300, 9000), "m": rng.randrange(3, 13),
        "p1": rng.randrange(p_low + 10, 92), "p2": p_low, "pp": rng.randrange(3, 16),
    }
    methods = list(spec["methods"])
    rng.shuffle(methods)
    n_methods = 2 if rng.random() < 0.8 else 1
    paras = [
        " ".join([_fill(rng.choice(blocks.OPENINGS), values), spec["problem"]]),
        " ".join(_fill(m, values) for m in methods[:n_methods]),
    ]
    middle = []
    if rng.random() < 0.7:
        middle.append(rng.choice(blocks.PARTNERS))
    middle.append(_fill(spec["result"], values))
    paras.append(" ".join(middle))
    tail = rng.sample(blocks.CHALLENGES, k=rng.choice([1, 2])) + [rng.choice(blocks.NEXT)]
    paras.append(" ".join(tail))
    feedback = rng.sample(blocks.FEEDBACK, k=len(blocks.FEEDBACK))
    if rng.random() < 0.4:
        paras[2] = f"{paras[2]} {feedback.pop()}"
    while sum(len(p.split()) for p in paras) < 125 and feedback:
        paras[2] = f"{paras[2]} {feedback.pop()}"
    title = rng.choice(spec["titles"])
    title = f"{title} ({town})"
    outcome = rng.choices(["winner", "finalist", "participant"], weights=[12, 28, 60])[0]
    return {
        "id": f"arch-{year}-{lang}-{index:03d}", "title": title, "text": "\n\n".join(paras), "lang": lang,
        "year": year, "region": place[0], "library": library, "library_type": library_type,
        "outcome": outcome, "topic": topic,
    }


def build_archive() -> list[dict[str, object]]:
    """≥ 110 past projects; deterministic. The resubmitted project is one of them."""
    rng = random.Random(SEED)
    langs = ["kk"] * 45 + ["ru"] * 47 + ["en"] * 22
    rng.shuffle(langs)
    items: list[dict[str, object]] = []
    seen = {RESUBMITTED_ARCHIVE["id"]}
    for i, lang in enumerate(langs[:N_GENERATED], start=1):
        item = _compose(rng, lang, i)
        if item["id"] in seen:
            item["id"] = f"{item['id']}b"
        seen.add(str(item["id"]))
        items.append(item)
    resub = {k: RESUBMITTED_ARCHIVE[k] for k in
             ("id", "title", "text", "lang", "year", "region", "library", "library_type", "outcome")}
    resub["text"] = "\n\n".join(" ".join(p.split()) for p in str(resub["text"]).split("\n\n"))
    resub["topic"] = "children"
    items.insert(30, resub)
    return items
