"""An opt-in compiled path for embedding one query at a time (the API's hot path).

A search request embeds one short query. On this 2-core CPU EmbeddingGemma in eager bf16 takes ~75 ms (p50) for it,
more than the whole 50 ms budget; ``torch.compile`` of the transformer with inductor freezing (weights folded in as
constants) takes it to ~40 ms. int8 dynamic quantisation was as fast but moved the vectors too far (cosine 0.77 to
bf16), so it is not offered.

Only the Hugging Face transformer inside the SentenceTransformer is compiled; tokenising, prompts and the model's
own pooling / dense / normalise modules run as in eager, so the path stays the model's own recipe. Compiling takes
~100-130 s for EmbeddingGemma on 2 cores (inductor's FX cache does not help with freezing), so callers compile in the
background and switch only after :func:`compile_query_path` has checked the compiled vectors against eager ones.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import numpy as np

logger = logging.getLogger(__name__)

MIN_COSINE = 0.99
"""The compiled path is used only if every probe's vector has at least this cosine to the eager vector."""
PROBES = (
    "library chatbot that answers readers' questions",
    "Кітапханадағы жасанды интеллект: оқырмандарға кеңес беретін чат-бот",
    ("Оцифровка редких книг и создание электронного каталога сельской библиотеки для школьников и пенсионеров, "
     "с обучением сотрудников работе с нейросетями и голосовым помощником для слабовидящих читателей"),
)
"""kk/ru/en, short to long: varied lengths also make dynamo trace its dynamic-length guards before the switch."""
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class CompiledQueryPath:
    """``encode(text)`` → the unit vector of one query, through the compiled transformer.

    Calls are serialised by a lock: torch already spreads one call over all cores, and one at a time keeps a
    guard failure (a rare recompile) from being traced by two threads at once."""

    def __init__(self, st_model, prompt: str | None) -> None:
        import torch

        self._st = st_model
        self._prompt = prompt
        self._tail = list(st_model)[1:]  # pooling, dense …, normalise: run eagerly on the compiled output
        self._forward = torch.compile(st_model[0].model, dynamic=True, options={"freezing": True})
        self._lock = threading.Lock()

    def encode(self, text: str) -> np.ndarray:
        import torch

        with self._lock, torch.no_grad():
            features = self._st.preprocess([text], prompt=self._prompt, task="query")
            inputs = {k: features[k] for k in MODEL_INPUTS if k in features}
            features["token_embeddings"] = self._forward(**inputs).last_hidden_state
            for module in self._tail:
                features = module(features)
            vec = features["sentence_embedding"][0].float().numpy()
        return vec / max(float(np.linalg.norm(vec)), 1e-12)


def compile_query_path(st_model, prompt: str | None, eager: Callable[[str], np.ndarray], *,
                       probes: Sequence[str] = PROBES, min_cosine: float = MIN_COSINE) -> CompiledQueryPath | None:
    """Compile (the first probe pays for it) and check every probe against ``eager``; None, with a warning, if
    compiling fails or a probe's cosine is below ``min_cosine`` — the caller then stays eager."""
    try:
        path = CompiledQueryPath(st_model, prompt)
        cosine = min(float(np.dot(path.encode(p), eager(p))) for p in probes)
    except Exception:  # an inductor/compiler failure of any kind must leave search working, eagerly
        logger.warning("compiling the query encoder failed; queries stay eager", exc_info=True)
        return None
    if cosine < min_cosine:
        logger.warning("compiled query vectors differ from eager ones (min cosine %.4f < %.2f); queries stay eager",
                       cosine, min_cosine)
        return None
    logger.info("compiled query encoder verified (min cosine %.4f on %d probes)", cosine, len(probes))
    return path
