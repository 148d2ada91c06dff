"""Real Kazakhstan regions and towns, and plausible (fictional) library names built from them."""
from __future__ import annotations

# canonical region (as in the form's drop-down), town kk/ru/en, a district kk/ru/en
PLACES = [
    ("Абай облысы", ("Семей", "Семей", "Semey"), ("Жарма", "Жарминского", "Zharma")),
    ("Ақмола облысы", ("Көкшетау", "Кокшетау", "Kokshetau"), ("Бурабай", "Бурабайского", "Burabay")),
    ("Ақтөбе облысы", ("Ақтөбе", "Актобе", "Aktobe"), ("Мұғалжар", "Мугалжарского", "Mugalzhar")),
    ("Алматы облысы", ("Қонаев", "Конаев", "Konaev"), ("Еңбекшіқазақ", "Енбекшиказахского", "Enbekshikazakh")),
    ("Атырау облысы", ("Атырау", "Атырау", "Atyrau"), ("Индер", "Индерского", "Inder")),
    ("Батыс Қазақстан облысы", ("Орал", "Уральск", "Oral"), ("Бөрлі", "Бурлинского", "Burli")),
    ("Жамбыл облысы", ("Тараз", "Тараз", "Taraz"), ("Мерке", "Меркенского", "Merke")),
    ("Жетісу облысы", ("Талдықорған", "Талдыкорган", "Taldykorgan"), ("Ескелді", "Ескельдинского", "Eskeldi")),
    ("Қарағанды облысы", ("Қарағанды", "Караганда", "Karaganda"), ("Қарқаралы", "Каркаралинского",
                                                                       "Karkaraly")),
    ("Қостанай облысы", ("Қостанай", "Костанай", "Kostanay"), ("Жітіқара", "Житикаринского", "Zhitikara")),
    ("Қызылорда облысы", ("Қызылорда", "Кызылорда", "Kyzylorda"), ("Арал", "Аральского", "Aral")),
    ("Маңғыстау облысы", ("Ақтау", "Актау", "Aktau"), ("Бейнеу", "Бейнеуского", "Beyneu")),
    ("Павлодар облысы", ("Павлодар", "Павлодар", "Pavlodar"), ("Баянауыл", "Баянаульского", "Bayanaul")),
    ("Солтүстік Қазақстан облысы", ("Петропавл", "Петропавловск", "Petropavl"), ("Айыртау", "Айыртауского",
                                                                               "Aiyrtau")),
    ("Түркістан облысы", ("Түркістан", "Туркестан", "Turkistan"), ("Сайрам", "Сайрамского", "Sairam")),
    ("Ұлытау облысы", ("Жезқазған", "Жезказган", "Zhezkazgan"), ("Ұлытау", "Улытауского", "Ulytau")),
    ("Шығыс Қазақстан облысы", ("Өскемен", "Усть-Каменогорск", "Oskemen"), ("Зайсан", "Зайсанского", "Zaysan")),
    ("Астана қ.", ("Астана", "Астана", "Astana"), None),
    ("Алматы қ.", ("Алматы", "Алматы", "Almaty"), None),
    ("Шымкент қ.", ("Шымкент", "Шымкент", "Shymkent"), None),
]


def library_name(lang: str, library_type: str, place: tuple, variant: int) -> str:
    """A plausible library name in the entry's language; `variant` picks among a few patterns."""
    _region, (town_kk, town_ru, town_en), district = place
    if library_type == "university":
        return {
            "kk": f"{town_kk} мемлекеттік университетінің ғылыми кітапханасы",
            "ru": f"Научная библиотека университета г. {town_ru}",
            "en": f"University Library, {town_en} State University",
        }[lang]
    if library_type == "college":
        return {
            "kk": f"{town_kk} жоғары педагогикалық колледжінің кітапханасы",
            "ru": f"Библиотека высшего колледжа г. {town_ru}",
            "en": f"{town_en} Higher College Library",
        }[lang]
    patterns = {
        "kk": [f"{town_kk} қалалық орталықтандырылған кітапхана жүйесі",
               f"{town_kk} қалалық балалар кітапханасы",
               f"{district[0]} аудандық орталық кітапханасы" if district else f"{town_kk} қалалық №4 кітапхана",
               f"{town_kk} облыстық әмбебап ғылыми кітапханасы" if district else f"{town_kk} қалалық жастар кітапханасы"],
        "ru": [f"Централизованная библиотечная система г. {town_ru}",
               f"Городская детская библиотека г. {town_ru}",
               f"Центральная районная библиотека {district[1]} района" if district
               else f"Библиотека-филиал № 7 г. {town_ru}",
               f"Областная универсальная научная библиотека, г. {town_ru}" if district
               else f"Городская юношеская библиотека г. {town_ru}"],
        "en": [f"{town_en} City Central Library",
               f"{town_en} Children's Library",
               f"{district[2]} District Central Library" if district else f"{town_en} Library Branch No. 9",
               f"{town_en} Regional Universal Scientific Library" if district else f"{town_en} Youth Library"],
    }
    return patterns[lang][variant % 4]
