"""Fixed wording of draft notes in kk/ru/en, and defence questions templated from gaps in the evidence.

Questions come from what the entry does *not* show (an aim with no quote, no named AI technique, no
measurable result) or shows only weakly (an aim found only by embedding similarity). They point at gaps;
they never say how good the entry is.
"""
from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "disclaimer": {
        "ru": "Черновик, подготовленный ИИ для членов жюри. Это не оценка и не решение: каждое утверждение "
              "ссылается на место в заявке — проверяйте по оригиналу.",
        "kk": "Қазылар алқасы мүшелеріне арналған ЖИ дайындаған жоба-анықтама. Бұл баға да, шешім де емес: әр "
              "тұжырым өтінімдегі орынға сілтейді — түпнұсқамен тексеріңіз.",
        "en": "AI-prepared draft for jury members. It is not an assessment and not a decision: every statement "
              "points to a place in the entry — check it against the original.",
    },
    "not_found": {
        "ru": "В тексте заявки свидетельств не найдено.",
        "kk": "Өтінім мәтінінен дәлел табылмады.",
        "en": "No evidence found in the entry's text.",
    },
    "medium_text": {
        "ru": "Заявка представлена в текстовой форме.",
        "kk": "Өтінім мәтін түрінде ұсынылған.",
        "en": "The entry is presented as text.",
    },
    "medium_media": {
        "ru": "Заявка содержит медиаматериал (видео, аудио или слайды).",
        "kk": "Өтінімде медиа материал бар (бейне, аудио немесе слайдтар).",
        "en": "The entry contains media (video, audio or slides).",
    },
}

QUESTIONS: dict[str, dict[str, str]] = {
    "missing:ai_for_library_services": {
        "ru": "Какую именно библиотечную услугу улучшает ИИ в проекте и как это заметят читатели?",
        "kk": "Жобадағы ЖИ кітапхананың қай қызметін жақсартады және оны оқырмандар қалай байқайды?",
        "en": "Which library service exactly does the AI improve, and how will readers notice it?",
    },
    "missing:professional_growth": {
        "ru": "Как работа над проектом повлияла на профессиональный рост сотрудников библиотеки?",
        "kk": "Жобамен жұмыс кітапхана қызметкерлерінің кәсіби өсуіне қалай әсер етті?",
        "en": "How did the work on the project contribute to the library staff's professional growth?",
    },
    "missing:sharing_experience": {
        "ru": "Как вы делитесь или планируете делиться опытом проекта с коллегами из других библиотек?",
        "kk": "Жоба тәжірибесімен басқа кітапханалардағы әріптестермен қалай бөлісесіз немесе бөліспексіз?",
        "en": "How do you share, or plan to share, the project's experience with colleagues in other libraries?",
    },
    "weak": {
        "ru": "Аспект «{label}» в заявке затронут лишь косвенно: что конкретно сделано в этом направлении?",
        "kk": "«{label}» аспектісі өтінімде жанама түрде ғана айтылған: осы бағытта нақты не істелді?",
        "en": "The entry touches on “{label}” only indirectly: what exactly was done in this respect?",
    },
    "missing:technique": {
        "ru": "Какие именно методы или инструменты ИИ используются в проекте?",
        "kk": "Жобада ЖИ-дің қандай әдістері немесе құралдары нақты қолданылады?",
        "en": "Which AI methods or tools exactly does the project use?",
    },
    "missing:service": {
        "ru": "Для какой библиотечной услуги или какой группы читателей предназначен проект?",
        "kk": "Жоба кітапхананың қай қызметіне немесе оқырмандардың қай тобына арналған?",
        "en": "Which library service or which group of readers is the project for?",
    },
    "missing:form": {
        "ru": "Что представляет собой работа: реализованный проект, идея или исследование?",
        "kk": "Жұмыс нені білдіреді: іске асырылған жоба ма, идея ма, әлде зерттеу ме?",
        "en": "What is the work: an implemented project, an idea, or a research study?",
    },
    "missing:results": {
        "ru": "Каковы измеримые результаты проекта (число пользователей, сэкономленное время, охват)?",
        "kk": "Жобаның өлшенетін нәтижелері қандай (пайдаланушылар саны, үнемделген уақыт, қамту)?",
        "en": "What are the project's measurable results (number of users, time saved, reach)?",
    },
}


def phrase(key: str, lang: str, **fmt: str) -> str:
    table = PHRASES.get(key) or QUESTIONS[key]
    text = table.get(lang) or table["en"]
    return text.format(**fmt) if fmt else text


def reworded(sentence: dict, lang: str) -> dict:
    """A stored note sentence for a reader of ``lang``: a fixed sentence (``key``) is worded in ``lang`` (a category
    it names, in that language's label); a quote or a generated sentence stays as written, in its own language."""
    key = sentence.get("key") or ""
    if not key or key not in PHRASES and key not in QUESTIONS:
        return sentence
    fmt = {}
    aim = (sentence.get("params") or {}).get("aim")
    if aim:
        from review_service.stages.taxonomy import load_taxonomy

        found = next((c for c in load_taxonomy().of("aim") if c.id == aim), None)
        fmt["label"] = found.label_in(lang) if found else aim
    try:
        text = phrase(key, lang, **fmt)
    except KeyError:
        return sentence
    return {**sentence, "text": text, "lang": lang}
