"""The Encoder protocol, the sentence-transformers encoder, and a content-hash embedding cache."""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from . import onnx_query
from .fast_query import MIN_COSINE, PROBES, CompiledQueryPath, compile_query_path
from .onnx_query import OnnxQueryPath

logger = logging.getLogger(__name__)

Kind = Literal["query", "document", "clustering", "similarity", "bitext", "classification", "raw"]
"""query/document for retrieval; the others select the model's task prompt where it has one (EmbeddingGemma
does), else the document prompt; ``raw``: no prompt at all (the caller wrote the model's own input format, e.g.
EmbeddingGemma's titled passage ``title: {title} | text: {text}``)."""
TITLE_SLOT_PROMPT = "title: none | text: "
"""EmbeddingGemma's document prompt: a model whose document prompt is this has a title slot."""
TASK_PROMPTS = {"clustering": "Clustering", "similarity": "STS", "bitext": "BitextMining",
                "classification": "Classification"}


@runtime_checkable
class Encoder(Protocol):
    model_id: str
    revision: str
    dim: int

    def encode(self, texts: Sequence[str], *, kind: Kind = "document") -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


def text_key(text: str, kind: str) -> str:
    return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()


def embedding_text(text: str) -> str:
    """What the model sees: Latin-script Kazakh is transliterated to Cyrillic, the script the multilingual
    embedder knows (it maps Latin Kazakh poorly); everything else is unchanged."""
    from review_service.core.language import is_latin_script_kazakh
    from review_service.core.normalize import kk_latin_to_cyrillic

    return kk_latin_to_cyrillic(text) if is_latin_script_kazakh(text) else text


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local, verified folder (never from a hub).

    Latin-script Kazakh input is transliterated to Cyrillic before encoding (:func:`embedding_text`)."""

    PREPROCESSING = "kk-latin-to-cyrillic"

    def __init__(self, path: Path, *, model_id: str, revision: str = "", dtype: str = "auto",
                 batch_size: int = 32, max_seq_length: int | None = 512, threads: int = 0,
                 source_sha256: str = "") -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()

        from models.store import torch_dtype

        if threads:
            torch.set_num_threads(threads)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._dtype = torch_dtype(dtype)
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True,
                                         model_kwargs={"torch_dtype": self._dtype})
        if max_seq_length:
            self.model.max_seq_length = max_seq_length
        self.model_id = model_id
        self.revision = f"{revision}+{self.PREPROCESSING}" if revision else self.PREPROCESSING
        dim_of = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or 0)
        self.batch_size = batch_size
        prompts = getattr(self.model, "prompts", {}) or {}
        self._prompts = set(prompts)
        self._has_prompts = "query" in prompts and "document" in prompts
        self.title_slot = prompts.get("document") == TITLE_SLOT_PROMPT
        """The model reads passages as ``title: {title} | text: {text}`` (see :func:`titled_passage`)."""
        default = getattr(self.model, "default_prompt_name", None)
        self._query_prompt = prompts.get("query" if self._has_prompts else default) if prompts else None
        self.path = Path(path)
        self._source_sha256 = source_sha256
        self._fast: CompiledQueryPath | OnnxQueryPath | None = None
        self._compile_lock = threading.Lock()
        self.query_path = "eager"
        """How single queries are embedded: eager, compiling / loading (still eager meanwhile), compiled or
        onnx-int8."""

    def encode(self, texts: Sequence[str], *, kind: Kind = "document") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [embedding_text(t) for t in texts]
        fast = self._fast
        if fast is not None and kind == "query" and len(texts) == 1:
            try:
                return fast.encode(texts[0])[None, :].astype(np.float32, copy=False)
            except Exception:  # never let the optional path break search: back to eager for good
                logger.warning("fast query path (%s) failed; back to eager", self.query_path, exc_info=True)
                self._fast, self.query_path = None, "eager"
        return self._encode_eager(texts, kind)

    def compile_queries(self, *, probes: Sequence[str] = PROBES, min_cosine: float = MIN_COSINE) -> bool:
        """Switch one-query encoding to the compiled path (:mod:`embeddings.fast_query`) once its vectors match the
        eager ones; on any failure stay eager and return False. Slow (~2 min for EmbeddingGemma on 2 cores): call
        it from a background thread; eager encoding goes on meanwhile. Threads calling it together compile once."""
        with self._compile_lock:
            if self._fast is None:
                self.query_path = "compiling"
                self._fast = compile_query_path(self.model, self._query_prompt, self._eager_query,
                                                probes=probes, min_cosine=min_cosine)
                self.query_path = "compiled" if self._fast is not None else "eager"
            return self._fast is not None

    def use_onnx_queries(self, *, required: bool = False) -> bool:
        """Switch one-query encoding to ONNX Runtime with 8-bit weights (:mod:`embeddings.onnx_query`), built at
        install time; ~2x faster than eager, loads in seconds. Its files are checked against their manifest and
        its vectors against eager ones. If that fails: raise if ``required``, else warn and stay eager."""
        from review_service.core.errors import ReviewError

        with self._compile_lock:
            if isinstance(self._fast, OnnxQueryPath):
                return True
            previous, self.query_path = self.query_path, "loading"
            try:
                self._fast = onnx_query.load(self.model, self._query_prompt, onnx_query.onnx_folder(self.path),
                                             source_sha256=self._source_sha256, model_name=self.model_id,
                                             eager=self._eager_query)
            except (ReviewError, ImportError, RuntimeError, OSError) as exc:
                self.query_path = previous
                if required:
                    raise
                logger.warning("ONNX query path not used (%s); queries stay %s", exc, previous)
                return False
            self.query_path = "onnx-int8"
            return True

    def use_eager_queries(self) -> None:
        """Back to plain sentence-transformers for single queries (benchmarks compare paths from a cold start)."""
        with self._compile_lock:
            self._fast, self.query_path = None, "eager"

    def build_onnx_queries(self, *, force: bool = False) -> Path:
        """Build the ONNX query model next to the weights (once; ``force`` rebuilds). See :mod:`embeddings.onnx_query`."""
        from review_service.core.errors import ReviewError

        folder = onnx_query.onnx_folder(self.path)
        if not force:
            try:
                onnx_query.check_files(folder, source_sha256=self._source_sha256, model_name=self.model_id)
                return folder
            except (ReviewError, OSError, ValueError) as exc:  # missing, stale or damaged: build it again
                logger.info("building the ONNX query model: %s", exc)
        onnx_query.build(self.model, self._query_prompt, folder, source_sha256=self._source_sha256,
                         eager=self._eager_query)
        return folder

    def _eager_query(self, text: str) -> np.ndarray:
        """One query's vector the plain way: what every fast path is checked against."""
        return self._encode_eager([text], "query")[0]

    def _encode_eager(self, texts: list[str], kind: Kind) -> np.ndarray:
        kwargs: dict[str, Any] = {"batch_size": self.batch_size, "normalize_embeddings": True,
                                  "convert_to_numpy": True, "show_progress_bar": False}
        task = TASK_PROMPTS.get(kind)
        if kind == "raw":
            vecs = self.model.encode(list(texts), prompt="", **kwargs)
        elif task and task in self._prompts:
            vecs = self.model.encode(list(texts), prompt_name=task, **kwargs)
        elif self._has_prompts:
            fn = self.model.encode_query if kind == "query" else self.model.encode_document
            vecs = fn(list(texts), **kwargs)
        else:
            vecs = self.model.encode(list(texts), **kwargs)
        vecs = np.asarray(vecs, dtype=np.float32)
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)  # exact after bf16


def titled_passage(title: str, text: str) -> str:
    """A passage in EmbeddingGemma's own titled format, to encode with ``kind="raw"``."""
    return f"title: {' '.join(title.split()) or 'none'} | text: {text}"


def encode_in_batches(encoder: Encoder, texts: Sequence[str], *, kind: Kind = "document", batch: int = 32,
                      on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Encode many texts in batches, longest first (as sentence-transformers does inside one call, so batches
    carry little padding), calling ``on_batch(n)`` after each (for a progress bar); rows come back in input order."""
    if not texts:
        return np.zeros((0, int(getattr(encoder, "dim", 0))), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out: np.ndarray | None = None
    for lo in range(0, len(order), batch):
        rows = order[lo:lo + batch]
        vecs = np.asarray(encoder.encode([texts[i] for i in rows], kind=kind), dtype=np.float32)
        if out is None:
            out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        out[rows] = vecs
        if on_batch:
            on_batch(len(rows))
    assert out is not None  # texts is not empty
    return out


class VectorCache(Protocol):
    """Vectors by text key and model: :class:`MemoryCache`, or the database's embedding cache."""

    def get_many(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray], model_id: str) -> None: ...


class MemoryCache:
    """In-process embedding cache; storage provides a persistent one with the same two methods."""

    def __init__(self) -> None:
        self._store: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        return {k: self._store[(k, model_id)] for k in keys if (k, model_id) in self._store}

    def put_many(self, items: dict[str, np.ndarray], model_id: str) -> None:
        for k, v in items.items():
            self._store[(k, model_id)] = v


class CachedEncoder:
    """Wraps an Encoder so text already embedded with the same model is never embedded again."""

    def __init__(self, inner: Encoder, cache: VectorCache | None = None) -> None:
        self.inner = inner
        self.cache: VectorCache = cache if cache is not None else MemoryCache()
        self._cache_id = f"{inner.model_id}@{inner.revision}"
        self.model_id = inner.model_id
        self.revision = inner.revision
        self.dim = inner.dim

    def encode(self, texts: Sequence[str], *, kind: Kind = "document") -> np.ndarray:
        keys = [text_key(t, kind) for t in texts]
        found = self.cache.get_many(list(dict.fromkeys(keys)), self._cache_id)
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        if todo:
            first = {k: t for k, t in zip(keys, texts)}
            vecs = self.inner.encode([first[k] for k in todo], kind=kind)
            new = dict(zip(todo, vecs))
            self.cache.put_many(new, self._cache_id)
            found.update(new)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)


@lru_cache(maxsize=4)
def _load(name: str, models_dir: str, dtype: str, threads: int) -> SentenceTransformerEncoder:
    from models.registry import get_spec
    from models.store import resolve

    spec = get_spec(name)
    path = resolve(name, Path(models_dir))
    logger.info("loading embedder %s from %s", name, path)
    if spec.dtype_policy.startswith("fp32"):
        dtype = "fp32"
    return SentenceTransformerEncoder(path, model_id=name, revision=spec.revision, dtype=dtype, threads=threads,
                                      source_sha256=spec.sha256)


def load_encoder(settings=None, name: str | None = None) -> SentenceTransformerEncoder:
    """The embedder named in settings (default EmbeddingGemma-300M), loaded once per process."""
    if settings is None:
        from review_service.core.config import get_settings

        settings = get_settings()
    return _load(name or settings.embedder, str(settings.models_dir), settings.dtype, settings.threads)
