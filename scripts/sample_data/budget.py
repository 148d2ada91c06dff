"""A short budget section for an entry, in its language; amounts drawn with a seed named by the entry.

Entries that are translations or copies of each other share the seed, so their budgets agree too."""
from __future__ import annotations

import random
import zlib

ITEMS = [
    ("сервер және компьютерлер", "сервер и компьютеры", "server and computers"),
    ("бағдарламалық қамтамасыз ету және бұлттық қызметтер", "программное обеспечение и облачные сервисы",
     "software and cloud services"),
    ("қызметкерлерді оқыту", "обучение сотрудников", "staff training"),
    ("еріктілерге арналған материалдар", "материалы для волонтёров", "materials for volunteers"),
    ("баспа және жарнама материалдары", "печать и рекламные материалы", "printing and promotion"),
    ("сканер және қосымша жабдық", "сканер и дополнительное оборудование", "scanner and equipment"),
    ("планшеттер мен құлаққаптар", "планшеты и наушники", "tablets and headphones"),
]
HEAD = {"kk": "Жобаның бюджеті", "ru": "Бюджет проекта", "en": "Budget"}
TOTAL = {"kk": "Жобаның жалпы құны — {total} теңге. Негізгі шығындар: {items}.",
         "ru": "Общая стоимость проекта — {total} тенге. Основные статьи расходов: {items}.",
         "en": "The total cost of the project is {total} tenge. Main items: {items}."}
SOURCES = {
    "kk": ["Қаржы кітапхананың жылдық бюджетінен бөлінді.",
           "Қаржының жартысын кітапхана, қалғанын жергілікті демеушілер берді.",
           "Жоба облыстық мәдениет басқармасының шағын грантымен қаржыландырылды."],
    "ru": ["Средства выделены из годового бюджета библиотеки.",
           "Половину средств выделила библиотека, остальное — местные спонсоры.",
           "Проект профинансирован малым грантом областного управления культуры."],
    "en": ["The money came from the library's annual budget.",
           "The library covered half of the cost and local sponsors the rest.",
           "The project was funded by a small grant from the regional culture department."],
}


def _money(n: int, lang: str) -> str:
    s = f"{n:,}"
    return s if lang == "en" else s.replace(",", " ")


def budget_section(lang: str, seed_key: str) -> str:
    """Markup for a '# Budget' section (lang kk | ru | en)."""
    rng = random.Random(zlib.crc32(seed_key.encode()))
    col = {"kk": 0, "ru": 1, "en": 2}[lang]
    picks = rng.sample(ITEMS, k=4)
    amounts = [rng.randrange(8, 120) * 10_000 for _ in picks]
    items = "; ".join(f"{item[col]} — {_money(a, lang)}"
                      for item, a in zip(picks, amounts))
    text = TOTAL[lang].format(total=_money(sum(amounts), lang), items=items)
    return f"# {HEAD[lang]}\n{text} {rng.choice(SOURCES[lang])}\n"
