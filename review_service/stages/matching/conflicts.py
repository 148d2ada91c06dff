"""Conflicts of interest between jurors and entries, each with a reason a person can read.

Kinds: ``organization`` (same organisation, names normalised), ``library`` (same library), ``declared``
(the juror declared it), ``opt_out`` (the juror opted out of the entry), ``author`` (the juror is one of the
entry's authors). The region cap is a solver constraint (:mod:`review_service.stages.matching.solver`), not a pair
conflict.

Organisation names are compared as *keys*: transliterated to one Latin skeleton
(:func:`review_service.core.normalize.fold`, so Kazakh Latin/Cyrillic and Russian meet), punctuation and quotes
dropped, words for university / library / college / national … mapped to one concept across kk/ru/en,
function words and "named after" dedications ("имени X", "X атындағы") dropped, word order ignored (so
"University of X" = "X University"); then equal keys, the alias table
(``data/org_aliases.json``: "ЕНУ" = "ENU" = "Eurasian National University" = "Еуразия ұлттық университеті"),
an abbreviation rule (an upper-case short word equals the initials of the other name) or a fuzzy token match
(transliteration variants such as Nazarbayev / Назарбаев) make two names the same organisation.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np

from review_service.core.domain import Document, Juror
from review_service.core.normalize import fold

logger = logging.getLogger(__name__)

ALIASES_PATH = Path(__file__).with_name("data") / "org_aliases.json"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
FUZZY = 0.8  # token similarity for transliteration variants (only for tokens of 5+ letters)


@dataclass(frozen=True)
class Conflict:
    juror: str
    entry: str
    kind: str  # organization | library | declared | opt_out | author
    reason: str  # in English; pages word ``kind`` with ``params`` in the reader's language (core.messages)
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {"juror": self.juror, "entry": self.entry, "kind": self.kind, "reason": self.reason,
                "params": dict(self.params)}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], frozenset[str], dict[tuple[str, ...], str]]:
    data = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    words = {fold(w): concept for concept, forms in data["words"].items() for w in forms}
    drop = frozenset(fold(w) for w in data["drop"])
    aliases: dict[tuple[str, ...], str] = {}
    for entry in data["aliases"]:
        for name in entry["names"]:
            aliases[_key_uncached(name, words, drop)] = entry["id"]
    return words, drop, aliases


_DEDICATION_AFTER = ("imeni", "im")  # ru: "имени Л.Н. Гумилева" — the name follows
_DEDICATION_BEFORE = ("atindagi", "atyndagy")  # kk: "Л.Н. Гумилев атындағы" — the name precedes


def _tokens(name: str, drop: frozenset[str]) -> list[str]:
    """Folded word tokens with the "named after" dedication (initials + one surname) removed."""
    text = unicodedata.normalize("NFC", name)
    raw = [fold(w) for w in _WORD.findall(text)]
    out: list[str] = []
    i = 0
    while i < len(raw):
        w = raw[i]
        after = w in _DEDICATION_AFTER or (w == "named" and i + 1 < len(raw) and raw[i + 1] == "after")
        if after:
            i += 2 if w == "named" else 1
            while i < len(raw) and len(raw[i]) <= 2:  # initials
                i += 1
            i += 1  # the surname
            continue
        if w in _DEDICATION_BEFORE:
            if out:
                out.pop()  # the surname
            while out and len(out[-1]) <= 2:  # initials
                out.pop()
            i += 1
            continue
        out.append(w)
        i += 1
    return [w for w in out if w not in drop]


_RU_ADJ = re.compile(r"(skaia|skoi|skii|skogo|skoe|skih|skaya|skiy)$")  # "Павлодарская" → "pavlodar"


def _key_uncached(name: str, words: dict[str, str], drop: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(words.get(t) or (_RU_ADJ.sub("", t) if len(t) > 7 else t) for t in _tokens(name, drop)))


@lru_cache(maxsize=20_000)
def org_key(name: str) -> tuple[str, ...]:
    """The comparison key of an organisation name (sorted concept/word tokens)."""
    words, drop, _ = _tables()
    return _key_uncached(name, words, drop)


def _alias(name: str) -> str | None:
    _, _, aliases = _tables()
    key = org_key(name)
    if key in aliases:
        return aliases[key]
    compact = tuple(sorted("".join(key)))  # "НАБ РК" ~ "НАБРК"
    for k, v in aliases.items():
        if len(k) <= 2 and tuple(sorted("".join(k))) == compact:
            return v
    return None


def _initials(name: str) -> str:
    _, drop, _ = _tables()
    return "".join(t[0] for t in _tokens(name, drop) if t)


def _abbreviation(a: str, b: str) -> bool:
    """'ENU' vs 'Eurasian National University': a short upper-case word equals the other's initials."""
    for short, long in ((a, b), (b, a)):
        abbr = _abbreviation_of(short)
        if abbr and len(_initials(long)) >= 2 and abbr == _initials(long):
            return True
    return False


def _abbreviation_of(name: str) -> str | None:
    """The folded abbreviation a name is, if it is one: "ENU", "НАБ РК", or "КРУ им. А. Байтурсынулы" (an
    upper-case short word once the "named after" dedication is set aside)."""
    compact = name.strip().replace(" ", "")
    if 2 <= len(compact) <= 8 and compact.isupper():
        return fold(compact.lower())
    _, drop, _ = _tables()
    toks = _tokens(name, drop)
    if len(toks) == 1 and 2 <= len(toks[0]) <= 8 and any(
            w.isupper() and len(w) >= 2 and fold(w.lower()) == toks[0] for w in _WORD.findall(name)):
        return toks[0]
    return None


def _fuzzy_equal(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if len(a) != len(b) or not a:
        return False
    rest = list(b)
    for t in a:
        match = next((u for u in rest if u == t or (min(len(t), len(u)) >= 5
                                                    and SequenceMatcher(None, t, u).ratio() >= FUZZY)), None)
        if match is None:
            return False
        rest.remove(match)
    return True


@lru_cache(maxsize=100_000)
def same_organization(a: str, b: str) -> bool:
    """Whether two organisation names refer to the same organisation (see the module docstring)."""
    if not a.strip() or not b.strip():
        return False
    ka, kb = org_key(a), org_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    ia, ib = _alias(a), _alias(b)
    if ia is not None and ia == ib:
        return True
    if ia is not None and ib is not None:
        return False
    return _abbreviation(a, b) or _fuzzy_equal(ka, kb)


def _name_key(name: str) -> tuple[str, ...]:
    return tuple(sorted(fold(w) for w in _WORD.findall(name) if len(w) > 1))


@lru_cache(maxsize=100_000)
def same_person(a: str, b: str) -> bool:
    """Names equal up to script, case, word order and transliteration variants ("Иванов А." ~ "A. Ivanov")."""
    ka, kb = _name_key(a), _name_key(b)
    if not ka or not kb:
        return False
    if ka == kb or _fuzzy_equal(ka, kb):
        return True
    # surname + initials: the long words agree and the other's initials fit
    la, lb = [t for t in ka if len(t) > 2], [t for t in kb if len(t) > 2]
    short, long = (la, lb) if len(la) <= len(lb) else (lb, la)
    if not short or len(long) - len(short) > 1:
        return False
    words_agree = all(any(s == t or (len(s) >= 5 and SequenceMatcher(None, s, t).ratio() >= FUZZY) for t in long)
                      for s in short)
    return words_agree and _initials_fit(a, b)


def _initials_fit(a: str, b: str) -> bool:
    ia = {fold(w)[0] for w in _WORD.findall(a)}
    ib = {fold(w)[0] for w in _WORD.findall(b)}
    return ia <= ib or ib <= ia


def _authors(entry: Document) -> list[str]:
    raw = entry.meta.get("authors", "") or entry.meta.get("author", "")
    if not raw:
        return []
    try:
        val = json.loads(raw)
        if isinstance(val, list):
            return [str(v) for v in val]
    except json.JSONDecodeError:
        pass
    return [s.strip() for s in re.split(r"[;,\n]", raw) if s.strip()]


_SUBUNITS = ("LIBRARY", "SCIENTIFIC")
_PARTS = re.compile(r"[,;()\[\]/]")


def _specific(name: str) -> bool:
    """A name that names something ("Eurasian National University"), not only a kind ("Scientific Library")."""
    return any(not t.isupper() for t in org_key(name)) or _alias(name) is not None


@lru_cache(maxsize=20_000)
def org_variants(name: str) -> tuple[str, ...]:
    """The organisations a compound name may stand for: the whole name, its comma/parenthesis parts, and each
    without sub-unit words ("Scientific Library of X University" → "X University"), keeping only specific ones.
    So "Eurasian National University, Scientific Library" and "NU Library, Nazarbayev University" meet the
    juror's university."""
    words, _, _ = _tables()
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        return ()
    parts = [name] + [p.strip() for p in _PARTS.split(name) if p.strip() and p.strip() != name]
    out: list[str] = []
    for part in parts:
        bare = " ".join(w for w in _WORD.findall(part) if words.get(fold(w)) not in _SUBUNITS)
        for variant in (part, bare):
            if variant and variant not in out and _specific(variant):
                out.append(variant)
    return tuple(out)


def _org_signatures(name: str) -> set[str]:
    """Cheap blocking keys: two names can only be the same organisation if their signatures intersect."""
    key = org_key(name)
    sig = {"key:" + " ".join(key), "ini:" + _initials(name)}
    alias = _alias(name)
    if alias:
        sig.add("alias:" + alias)
    abbr = _abbreviation_of(name)
    if abbr:
        sig.add("ini:" + abbr)
    sig.update("tok:" + _skeleton(t) for t in key if not t.isupper())
    return sig


_VOWELS = re.compile(r"[aeiouy'’]+")


def _skeleton(token: str) -> str:
    """The first four consonants, q read as k: transliteration and case variants share it (nazarbaiev /
    nazarbaev → nzrb; karagandin(skaia) / qaragandi → krgn). Only a blocking key: names are compared after."""
    return (_VOWELS.sub("", token.replace("q", "k")) or token)[:4]


def _name_signatures(name: str) -> set[str]:
    return {_skeleton(t) for t in _name_key(name) if len(t) > 2}


def _pairs(left: dict[str, list[int]], right: dict[str, list[int]], signatures, same) -> list[tuple[str, str]]:
    """(left string, right string) pairs that ``same`` accepts, compared only within shared signatures."""
    index: dict[str, set[str]] = {}
    for r in right:
        for sig in signatures(r):
            index.setdefault(sig, set()).add(r)
    out: list[tuple[str, str]] = []
    for a in left:
        cands: set[str] = set().union(*(index.get(sig, set()) for sig in signatures(a)))
        out.extend((a, b) for b in sorted(cands) if same(a, b))
    return out


def _group(values: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, vals in enumerate(values):
        for v in dict.fromkeys(v.strip() for v in vals if v and v.strip()):
            out.setdefault(v, []).append(i)
    return out


def find_conflicts(jurors: Sequence[Juror], entries: Sequence[Document]) -> list[Conflict]:
    """Every conflict between a juror and an entry, one per (juror, entry, kind), in juror then entry order.

    Names are compared once per distinct pair of strings, and only when a cheap signature (a token prefix,
    the initials, the alias) is shared, so thousands of jurors × entries stay fast.
    """
    epos = {e.id: i for i, e in enumerate(entries)}
    found: dict[tuple[int, int, str], str] = {}
    said: dict[tuple[int, int, str], tuple[tuple[str, str], ...]] = {}  # the names each reason compares
    for j, juror in enumerate(jurors):
        for eid in juror.conflicts:
            if eid in epos:
                found[(j, epos[eid], "declared")] = "conflict declared by the juror"
        for eid in juror.opt_outs:
            if eid in epos:
                found[(j, epos[eid], "opt_out")] = "the juror opted out of this entry"
    j_org = _group([org_variants(j.organization) for j in jurors])
    e_org = _group([org_variants(e.meta.get("organization", "")) for e in entries])
    for a, b in _pairs(j_org, e_org, _org_signatures, same_organization):
        for j in j_org[a]:
            for e in e_org[b]:
                found.setdefault((j, e, "organization"),
                                 f"same organisation: juror's '{jurors[j].organization}' and entry's "
                                 f"'{entries[e].meta.get('organization', '')}' ('{a}' = '{b}')")
                said.setdefault((j, e, "organization"), (("juror", a), ("entry", b)))
    j_lib = _group([org_variants(j.library) + org_variants(j.organization) for j in jurors])
    e_lib = _group([org_variants(e.meta.get("library", "")) for e in entries])
    for a, b in _pairs(j_lib, e_lib, _org_signatures, same_organization):
        for j in j_lib[a]:
            for e in e_lib[b]:
                if (j, e, "organization") not in found:
                    found.setdefault((j, e, "library"), f"same library: juror's '{a}' = entry's library '{b}'")
                    said.setdefault((j, e, "library"), (("juror", a), ("entry", b)))
    j_name = _group([(j.name,) for j in jurors])
    e_auth = _group([_authors(e) for e in entries])
    for a, b in _pairs(j_name, e_auth, _name_signatures, same_person):
        for j in j_name[a]:
            for e in e_auth[b]:
                found.setdefault((j, e, "author"), f"the juror '{a}' is an author ('{b}') of the entry")
                said.setdefault((j, e, "author"), (("juror", a), ("entry", b)))
    return [Conflict(jurors[j].id, entries[e].id, kind, reason, said.get((j, e, kind), ()))
            for (j, e, kind), reason in sorted(found.items())]


def conflict_mask(conflicts: Sequence[Conflict], juror_ids: Sequence[str], entry_ids: Sequence[str]) -> np.ndarray:
    jpos = {j: i for i, j in enumerate(juror_ids)}
    epos = {e: i for i, e in enumerate(entry_ids)}
    mask = np.zeros((len(juror_ids), len(entry_ids)), dtype=bool)
    for c in conflicts:
        if c.juror in jpos and c.entry in epos:
            mask[jpos[c.juror], epos[c.entry]] = True
    return mask
