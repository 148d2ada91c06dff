"""Fictional jurors in the issue-4 JURORS.jsonl format; organisations written in deliberately varied styles."""
from __future__ import annotations


def _w(jid: str, n: int, title: str, text: str) -> dict[str, str]:
    return {"id": f"{jid}-w{n}", "title": title, "text": " ".join(text.split())}


JURORS: list[dict[str, object]] = [
    {
        "id": "j01", "name": "Айгүл Мұсабекова",
        "organization": "Л.Н. Гумилев атындағы Еуразия ұлттық университеті",
        "region": "Астана қ.", "languages": ["kk", "ru", "en"], "max_load": 12,
        "expertise": "Цифрлық гуманитарлық ғылымдар, сирек кітаптар мен қолжазбаларды цифрландыру, мәтіндерді "
                     "тану (OCR/HTR), ғылыми коммуникация және зерттеу деректерін басқару.",
        "works": [
            _w("j01", 1, "Қазақ мерзімді баспасөзін цифрландырудың әдістемесі",
               "Мақалада 1910–1930 жылдардағы қазақ газеттерін сканерлеу, бет құрылымын анықтау және төте "
               "жазудағы мәтінді тану тәжірибесі сипатталады. Еріктілер тексерген жолдар негізінде модельді "
               "қосымша үйрету қателер үлесін үш есе азайтты."),
            _w("j01", 2, "Research data services in Central Asian university libraries",
               "A survey of 24 university libraries on data management plans, repositories and the skills "
               "librarians need to support doctoral students with research data and open science."),
        ],
    },
    {
        "id": "j02", "name": "Сергей Волков",
        "organization": "Карагандинская областная универсальная научная библиотека им. Н.В. Гоголя",
        "library": "Карагандинская областная универсальная научная библиотека им. Н.В. Гоголя",
        "region": "Қарағанды облысы", "languages": ["ru", "kk"], "max_load": 10,
        "expertise": "Управление библиотекой, стратегическое планирование, услуги для людей с инвалидностью, "
                     "оценка эффективности библиотечных проектов.",
        "works": [
            _w("j02", 1, "Доступная библиотека: стандарты обслуживания читателей с нарушениями зрения",
               "Методическое пособие о том, как организовать обслуживание незрячих и слабовидящих читателей: "
               "аудиокниги в формате DAISY, синтез речи, проверка сайта с программами экранного доступа."),
            _w("j02", 2, "Показатели эффективности областной библиотеки",
               "Статья предлагает систему показателей для областных библиотек: посещаемость, выдача, "
               "удовлетворённость читателей и стоимость услуги, с примерами расчёта."),
        ],
    },
    {
        "id": "j03", "name": "Dana Zhunusova", "organization": "Institute of Smart Systems and AI, Nazarbayev University",
        "region": "Астана қ.", "languages": ["en", "kk", "ru"], "max_load": 12,
        "expertise": "Natural language processing for Kazakh: speech recognition and synthesis, machine "
                     "translation, language models for low-resource Turkic languages, evaluation of chatbots.",
        "works": [
            _w("j03", 1, "A Kazakh text-to-speech corpus and baseline",
               "We release 90 hours of studio-recorded Kazakh speech and train neural speech synthesis models; "
               "listeners rate naturalness above 4 out of 5 for the best voice."),
            _w("j03", 2, "Evaluating retrieval-augmented chatbots in Kazakh and Russian",
               "We compare retrieval-augmented generation with plain generation for public-service questions "
               "in Kazakh and Russian and measure hallucinated facts, answer usefulness and language errors."),
            _w("j03", 3, "Transliteration between Cyrillic and Latin Kazakh",
               "A rule-based and neural transliterator for the 2018 and 2021 Latin alphabets, with an analysis "
               "of ambiguous letters and loanwords."),
        ],
    },
    {
        "id": "j04", "name": "Гүлмира Исқақова", "organization": "Алматы қалалық балалар кітапханасы",
        "region": "Алматы қ.", "languages": ["kk", "ru"], "max_load": 11,
        "expertise": "Балалар мен жасөспірімдердің оқуы, отбасылық оқу, балалар кітапханаларындағы "
                     "интерактивті бағдарламалар, ертегі терапиясы.",
        "works": [
            _w("j04", 1, "Отбасылық оқуды қолдаудың кітапханалық бағдарламалары",
               "Мақалада ата-аналар мен балаларға арналған кездесулер, кітап таңдау бойынша кеңестер және "
               "балалардың оқу қызығушылығын арттыратын ойын әдістері сипатталады."),
            _w("j04", 2, "Детское чтение в цифровую эпоху",
               "Исследование привычек чтения 600 школьников Алматы: как экранное время, аудиокниги и игры "
               "влияют на выбор книг и на то, дочитывают ли дети книгу до конца."),
        ],
    },
    {
        "id": "j05", "name": "Марина Ткаченко", "organization": "КРУ им. А. Байтурсынулы (Костанай)",
        "region": "Қостанай облысы", "languages": ["ru"], "max_load": 10,
        "expertise": "Каталогизация и метаданные: MARC 21, УДК и ББК, предметизация, авторитетные файлы, "
                     "качество электронного каталога, автоматизация каталогизации.",
        "works": [
            _w("j05", 1, "Предметизация в электронном каталоге вузовской библиотеки",
               "Анализ качества предметных рубрик в каталоге университетской библиотеки и методика их "
               "исправления; предложены правила согласования рубрик на казахском и русском языках."),
            _w("j05", 2, "Автоматизированное присвоение индексов УДК: опыт и ограничения",
               "Обзор методов автоматического индексирования по УДК, от словарных правил до моделей "
               "машинного обучения, и оценка того, где решение должен принимать каталогизатор."),
        ],
    },
    {
        "id": "j06", "name": "Ерлан Сапаров",
        "organization": "Республиканская библиотека для незрячих и слабовидящих граждан",
        "region": "Алматы қ.", "languages": ["kk", "ru"], "max_load": 9,
        "expertise": "Accessibility: audiobooks, DAISY, Braille, speech synthesis for Kazakh, services for "
                     "deaf readers, universal design of library websites.",
        "works": [
            _w("j06", 1, "Қазақ тіліндегі дыбыстық кітаптардың сапасын бағалау",
               "Көзі көрмейтін 80 оқырман синтезделген және диктор оқыған кітаптарды тыңдап бағалады; "
               "мақалада сапа критерийлері мен айтылу сөздігін жүргізу тәжірибесі берілген."),
            _w("j06", 2, "Сайты библиотек и экранные чтецы",
               "Проверка 40 сайтов библиотек Казахстана на соответствие требованиям доступности и "
               "рекомендации по исправлению типичных ошибок."),
        ],
    },
    {
        "id": "j07", "name": "Alikhan Bekov", "organization": "Astana IT University",
        "region": "Астана қ.", "languages": ["en", "ru", "kk"], "max_load": 12,
        "expertise": "Data analytics and machine learning for public services: demand forecasting, "
                     "recommender systems, dashboards, differential privacy and ethics of reader data.",
        "works": [
            _w("j07", 1, "Forecasting demand in public library networks",
               "We forecast loans per title and branch from five years of anonymised circulation data, "
               "with seasonality and school curricula, and show how forecasts guide acquisitions."),
            _w("j07", 2, "Recommender systems with consent: a privacy-first design",
               "A design for library recommendations that uses loan history only with consent, explains "
               "every suggestion and applies differential privacy to published statistics."),
        ],
    },
    {
        "id": "j08", "name": "Зарема Кенжебаева", "organization": "«MediaNet» халықаралық журналистика орталығы",
        "region": "Алматы қ.", "languages": ["kk", "ru"], "max_load": 10,
        "conflicts": ["ЖИ байқауы_Ли.pptx"],
        "expertise": "Медиасауаттылық, фактчекинг, генеративті жасанды интеллект жасаған жалған ақпаратты "
                     "анықтау, жастарға арналған білім беру бағдарламалары.",
        "works": [
            _w("j08", 1, "Медиаграмотность для подростков: программа из восьми занятий",
               "Программа учит проверять источники, искать оригиналы изображений, отличать мнение от факта "
               "и понимать, почему чат-боты выдумывают факты."),
            _w("j08", 2, "Генеративті жасанды интеллект және жалған жаңалықтар",
               "Нейрожелілер жасаған суреттер мен мәтіндердің таралуы және оларды кітапханалар мен "
               "мектептерде тану бойынша практикалық ұсыныстар."),
        ],
    },
    {
        "id": "j09", "name": "Ольга Петрова",
        "organization": "Павлодар облыстық С. Торайғыров атындағы әмбебап ғылыми кітапханасы",
        "library": "Павлодар облыстық С. Торайғыров атындағы әмбебап ғылыми кітапханасы",
        "region": "Павлодар облысы", "languages": ["ru", "kk"], "max_load": 10,
        "expertise": "Библиотечный менеджмент, работа с пожилыми читателями, клубы по интересам, "
                     "сетевое взаимодействие районных и сельских библиотек.",
        "works": [
            _w("j09", 1, "Серебряный возраст в библиотеке",
               "Опыт работы с читателями старшего возраста: курсы цифровой грамотности, клубы громкого "
               "чтения, адаптация текстов для лёгкого чтения."),
            _w("j09", 2, "Сельская библиотека как центр местного сообщества",
               "Как районные библиотеки поддерживают сельские филиалы: обменный фонд, выездное "
               "обслуживание и обучение библиотекарей."),
        ],
    },
    {
        "id": "j10", "name": "Бақыт Жолдасова", "organization": "Al-Farabi Kazakh National University",
        "region": "Алматы қ.", "languages": ["kk", "ru", "en"], "max_load": 11,
        "expertise": "Түркітану, төте жазу және араб графикасындағы қазақ мәтіндері, мәтіндерді тану, "
                     "транслитерация, тарихи корпустар.",
        "works": [
            _w("j10", 1, "Төте жазудағы мәтіндерді автоматты тану: мәселелер мен шешімдер",
               "Төте жазуда басылған кітаптардағы әріп пішіндері, баспа ақаулары және модельді үйретуге "
               "арналған деректерді дайындау мәселелері қарастырылады."),
            _w("j10", 2, "Historical Kazakh corpus in three scripts",
               "A corpus of Kazakh texts from 1870–1940 in Arabic script, Yanalif Latin and Cyrillic, with "
               "aligned transliterations for search and linguistic research."),
        ],
    },
    {
        "id": "j11", "name": "Michael Turner", "organization": "Independent consultant, digital libraries (UK)",
        "region": "", "languages": ["en"], "max_load": 9,
        "expertise": "Digital library strategy, metadata interoperability, AI governance in cultural "
                     "heritage institutions, evaluation of library innovation projects.",
        "works": [
            _w("j11", 1, "Responsible AI in libraries: a governance checklist",
               "A checklist for libraries adopting AI: transparency to users, human review, data protection, "
               "bias in collections and recommendations, and how to record provenance of AI outputs."),
            _w("j11", 2, "Linked data for small libraries",
               "How small public libraries can publish catalogue data as linked open data and gain "
               "visibility in search engines, with low-cost tools."),
        ],
    },
    {
        "id": "j12", "name": "Нұржан Әбенов", "organization": "Шығыс Қазақстан облыстық мемлекеттік мұрағаты",
        "region": "Шығыс Қазақстан облысы", "languages": ["kk", "ru"], "max_load": 9,
        "expertise": "Өлкетану, мұрағат құжаттарын цифрландыру, ауызша тарих, фотомұрағаттарды сипаттау, "
                     "метадеректер стандарттары.",
        "works": [
            _w("j12", 1, "Ауызша тарих жазбаларын сақтау және сипаттау",
               "Көнекөз қариялардың естеліктерін жазу, мәтінге айналдыру және жариялау кезіндегі этикалық "
               "мәселелер мен сипаттау стандарттары."),
            _w("j12", 2, "Фотоархив области: от описи к поиску",
               "Как описать тысячи фотографий с помощью волонтёров и автоматического распознавания лиц "
               "и текста, сохранив достоверность сведений."),
        ],
    },
]

# Known conflicts a checker should find (ground truth for expected.json).
CONFLICTS = [
    {"juror": "j01", "entry_file": "ЖИ байқауы_Smagulova.pdf", "kind": "same_organization",
     "why": "Л.Н. Гумилев атындағы Еуразия ұлттық университеті = Eurasian National University"},
    {"juror": "j02", "entry_file": "ЖИ байқауы_Оспанов.txt", "kind": "same_library",
     "why": "им. Н.В. Гоголя (ru) = Н.В. Гоголь атындағы (kk), Karaganda regional library"},
    {"juror": "j03", "entry_file": "project_final_v2.docx", "kind": "same_organization",
     "why": "Nazarbayev University = NU Library, Nazarbayev University"},
    {"juror": "j05", "entry_file": "ЖИ байқауы_Ким.docx", "kind": "same_organization",
     "why": "КРУ им. А. Байтурсынулы = Костанайский региональный университет им. А. Байтурсынова"},
    {"juror": "j08", "entry_file": "ЖИ байқауы_Ли.pptx", "kind": "declared"},
    {"juror": "j10", "entry_file": "ЖИ байқауы_Серікбаев.docx", "kind": "same_organization",
     "why": "Al-Farabi Kazakh National University = Әл-Фараби атындағы ҚазҰУ"},
]
# Not conflicts (same town or region, different organisation): j09 vs ЖИ байқауы_Лебедева.pdf and
# ЖИ байқауы_Ковальчук.pdf; j06 vs ЖИ байқауы_Абдрахманов.txt.
NON_CONFLICTS = [
    {"juror": "j09", "entry_file": "ЖИ байқауы_Лебедева.pdf"},
    {"juror": "j09", "entry_file": "ЖИ байқауы_Ковальчук.pdf"},
    {"juror": "j06", "entry_file": "ЖИ байқауы_Абдрахманов.txt"},
]
