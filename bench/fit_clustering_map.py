"""Fit the linear map from EmbeddingGemma's document-prompt space to its clustering-prompt space that the screen's
themes stage applies to its one-pass chunk vectors (``review_service.stages.themes.to_clustering_space``).

    .venv/bin/python bench/fit_clustering_map.py                       # the shipped recipe (defaults below)
    .venv/bin/python bench/fit_clustering_map.py --sources sib --method ridge --lam 0.1 --dry-run   # issue-16 map

Fitting pairs: the same text embedded with the document and with the clustering prompt (vectors from the bench
cache, embedded on a miss). No label of any kind is read. Sources (bench/_mapfit.py): ``sib`` = SIB-200 *train*
sentences (../shared/data/topics; the dev split stays held out), ``archive`` = the sample archive's 900-character
chunks (sample_data/archive.jsonl), ``entries`` = the sample batch's entry texts, chunked the same way,
``ntrex`` = NTREX news documents, chunked. Chunk-level, in-domain pairs matter: a map fitted on sentences alone
recovers less on multi-chunk projects (docs/jobs.md, "Quality of the reuse").

Affine map y ≈ (x − mx)·W + my on the sources' pooled pairs; ``ridge-id`` shrinks W towards the identity (the
document and clustering spaces are already close: directions the fitting text does not span are kept, not
deleted), ``ridge`` towards 0. The method and λ are chosen by 5-fold cross-validation
*on the fitting pairs only* (folds over documents/sentences; criterion: held-out mean cosine between mapped and
true clustering-prompt vectors, the fitted mean removed from both, averaged over the sources so each counts
once) unless given. Written to
review_service/resources/clustering_map_<model>.npz (W as float16, the means, the model revision, a one-line
description) and, beside it, clustering_map_<model>.json: the provenance (data files and their SHA-256, pairs,
method, λ, command, date) and the .npz's SHA-256, which ``themes`` checks on load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import _mapfit as M

LAMBDAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
FILES = {"sib": M.DATA / "topics" / "sib200.jsonl", "archive": M.ARCHIVE, "entries": M.ENTRIES, "ntrex": M.NTREX}


def _shown(path: Path) -> str:
    """A data file's path as the docs write it: in the repository, or ../shared/… beside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else "../" + str(path.relative_to(ROOT.parent))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cv_cosine(data: dict, method: str, lam: float, k: int = 5) -> float:
    """Held-out centred cosine (mapped vs true clustering vector, the fitted mean removed from both; ``_mapfit.
    centred_cos``), 5 folds over each source's groups, averaged over the sources."""
    per_fold = []
    parts = {s: M.folds(int(o.max()) + 1, k, seed=0) for s, (_, _, o) in data.items()}
    for f in range(k):
        held = {s: np.isin(o, parts[s][f]) for s, (_, _, o) in data.items()}
        m = M.fit(np.concatenate([x[~held[s]] for s, (x, _, _) in data.items()]),
                  np.concatenate([y[~held[s]] for s, (_, y, _) in data.items()]), method=method, lam=lam)
        per_fold.append(np.mean([M.centred_cos(m, x[held[s]], y[held[s]]) for s, (x, y, _) in data.items()]))
    return float(np.mean(per_fold))


FIXTURE = ROOT / "tests" / "data" / "clustering_map_fixture.npz"
FIXTURE_TOPICS = ("recommend", "catalog", "ocr", "chatbot")


def write_fixture() -> None:
    """Real vectors for tests/test_themes.py: the sample archive's multi-chunk projects of four topics (8 each), their
    document-prompt chunk vectors (float16) and clustering-prompt entry vectors (mean of chunks, float16)."""
    rows, groups = M.archive_rows(), M.archive_chunks()
    keep = [i for i, r in enumerate(rows) if r["topic"] in FIXTURE_TOPICS and len(groups[i]) >= 2]
    keep = [i for t in FIXTURE_TOPICS for i in [j for j in keep if rows[j]["topic"] == t][:8]]
    x, y, owner = M.pairs([groups[i] for i in keep])
    clu = M.pool([y[owner == j] for j in range(len(keep))], "mean")
    np.savez_compressed(FIXTURE, doc_chunks=x.astype(np.float16), owner=owner.astype(np.int16),
                        clustering=clu.astype(np.float16), topic=np.array([rows[i]["topic"] for i in keep]),
                        lang=np.array([rows[i]["lang"] for i in keep]), id=np.array([rows[i]["id"] for i in keep]))
    print(f"wrote {FIXTURE} ({len(keep)} projects, {len(x)} chunks, {FIXTURE.stat().st_size // 1024} KiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default="sib,archive,entries")
    ap.add_argument("--archive", type=Path, default=M.ARCHIVE,
                    help="the archive of past projects (JSONL with id and text, as sample_data/archive.jsonl): "
                         "refit on the organisers' own archive (text only, no labels)")
    ap.add_argument("--langs", default="kk,ru", help="SIB-200 languages")
    ap.add_argument("--method", default="cv", choices=["cv", "ridge", "ridge-id", "procrustes"],
                    help="'cv': ridge or ridge-id, whichever cross-validates better (with λ)")
    ap.add_argument("--lam", default="cv", help="a number, or 'cv' (chosen on the fitting pairs)")
    ap.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    ap.add_argument("--fixture", action="store_true", help=f"write the test fixture {FIXTURE.name} and stop")
    args = ap.parse_args()
    M.ARCHIVE = FILES["archive"] = args.archive.resolve()
    if args.fixture:
        return write_fixture()
    from embeddings.encoder import SentenceTransformerEncoder
    from models.registry import get_spec

    langs = args.langs.split(",")
    sources = args.sources.split(",")
    data = {s: M.pairs(M.source(s, langs)) for s in sources}
    for s, (x, _, o) in data.items():
        print(f"{s:8s} {len(x):5d} pairs from {int(o.max()) + 1} texts, cos(document, clustering) "
              f"{M.mean_cos(x, data[s][1]):.3f}")
    methods = ["ridge", "ridge-id"] if args.method == "cv" else [args.method]
    grid = [(mt, lam) for mt in methods for lam in (LAMBDAS if args.lam == "cv" else [float(args.lam)])]
    if len(grid) > 1:
        scores = {(mt, lam): cv_cosine(data, mt, lam) for mt, lam in grid}
        for (mt, lam), c in scores.items():
            print(f"  {mt:8s} λ={lam:<5g} held-out centred cos {c:.4f}")
        method, lam = max(scores, key=scores.get)
    else:
        method, lam = grid[0]
    x = np.concatenate([d[0] for d in data.values()])
    y = np.concatenate([d[1] for d in data.values()])
    m = M.fit(x, y, method=method, lam=lam)
    dev = [g[0] for g in M.sib_texts("dev", langs)]
    dx, dy = M.embed(dev, "document"), M.embed(dev, "clustering")
    print(f"fitted {method} λ={lam:g} on {len(x)} pairs ({', '.join(sources)}); SIB-200 dev ({len(dx)} "
          f"sentences, held out): cos(document, clustering) {M.mean_cos(dx, dy):.3f}, cos(mapped, clustering) "
          f"{M.mean_cos(M.apply(m, dx), dy):.3f}, centred {M.centred_cos(m, dx, dy):.3f}")
    if args.dry_run:
        return
    model = "embeddinggemma-300m"
    revision = f"{get_spec(model).revision}+{SentenceTransformerEncoder.PREPROCESSING}"
    out = ROOT / "review_service" / "resources" / f"clustering_map_{model}.npz"
    described = f"{method} λ={lam:g} on {len(x)} unlabelled pairs: " + ", ".join(
        f"{s} {len(d[0])}" for s, d in data.items())
    np.savez(out, w=m["w"].astype(np.float16), mx=m["mx"].astype(np.float32), my=m["my"].astype(np.float32),
             revision=np.array(revision), fitted_on=np.array(described))
    provenance = {
        "model": model, "revision": revision, "method": method, "lambda": lam,
        "chosen_by": ("5-fold CV on the fitting pairs (held-out centred cosine) over "
                      + ", ".join(f"{mt} λ={lam:g}" for mt, lam in grid)) if len(grid) > 1 else "given",
        "pairs": len(x), "labels_used": False,
        "sources": [{"name": s, "file": _shown(FILES[s]),
                     "sha256": sha256(FILES[s]), "pairs": len(d[0]), "texts": int(d[2].max()) + 1,
                     **({"split": "train", "langs": langs} if s == "sib" else {})} for s, d in data.items()],
        "chunking": {"max_chars": M.CHUNK, "overlap": M.OVERLAP},
        "command": " ".join([".venv/bin/python bench/fit_clustering_map.py", *map(shlex.quote, sys.argv[1:])]),
        "date": dt.date.today().isoformat(),
        "npz": out.name, "npz_sha256": sha256(out), "shape": list(m["w"].shape),
    }
    (out.with_suffix(".json")).write_text(json.dumps(provenance, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB) and {out.with_suffix('.json').name} "
          f"(sha256 {provenance['npz_sha256'][:12]}…)")


if __name__ == "__main__":
    main()
