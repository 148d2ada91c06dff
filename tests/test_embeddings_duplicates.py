"""Cross-lingual duplicates with the real embedder: a real NTREX kk↔ru translation pair is flagged, unrelated
articles are not (4 short documents, 5 passages)."""
from __future__ import annotations

from review_service.core.domain import Document
from review_service.core.normalize import normalize_text
from review_service.stages.duplicates import find_duplicates


def test_translation_pair_flagged_unrelated_not(encoder, ntrex):
    def doc(doc_id: str, lang: str) -> Document:
        return Document(id=f"{doc_id}-{lang}", text=normalize_text(ntrex[doc_id][lang]))

    docs = [doc("bbc.381701", "kk"), doc("bbc.381694", "kk"), doc("euronews-en.153800", "ru")]
    archive = [doc("bbc.381701", "ru")]
    bars = []

    class Bar:
        def __init__(self, total, desc):
            self.n, self.total = 0, total
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            pass

    flags = find_duplicates(docs, archive=archive, encoder=encoder, progress=lambda total, desc: Bar(total, desc))
    assert [(f.a, f.b, f.kind, f.b_is_archive) for f in flags] == [
        ("bbc.381701-kk", "bbc.381701-ru", "crosslingual", True)]
    f = flags[0]
    assert f.score >= 0.5 and f.evidence
    assert f.evidence[0].a_anchor.startswith("section") and f.evidence[0].score > 1.0
    assert bars and bars[0].n == bars[0].total > 0



def test_translation_inside_a_much_longer_entry_is_partial_not_a_whole_duplicate(encoder, ntrex):
    """A Kazakh article translated as the larger part of a Russian entry 1.7× its length (more than half of the
    longer entry has a counterpart): a partial overlap, not a whole-document duplicate."""
    short = Document(id="kk-short", text=normalize_text(ntrex["upi.176251"]["kk"]))
    long_text = "\n\n".join(normalize_text(ntrex[d]["ru"]) for d in ("upi.176251", "euronews-en.153800"))
    longer = Document(id="ru-long", text=long_text)
    assert len(longer.text) > 1.6 * len(short.text)
    flags = find_duplicates([short, longer], encoder=encoder)
    assert [(f.a, f.b, f.kind) for f in flags] == [("kk-short", "ru-long", "partial")]
