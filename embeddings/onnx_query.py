"""The query embedder through ONNX Runtime with 8-bit weights: the API's fast path for a new question.

A search request embeds one short query. On the 2-core CPU EmbeddingGemma takes ~60 ms for it in eager bf16 (the
whole budget is 50 ms), ~40 ms compiled with ``torch.compile`` (:mod:`embeddings.fast_query`, ~2 min to compile at
every start). This path takes ~32 ms and loads in seconds, because the slow part is done once, at install time:

1. the SentenceTransformer's modules after the tokenizer (transformer, pooling, dense layers, normalise) are exported
   as one ONNX graph in fp32 (``torch.onnx``, dynamo), so a query needs no torch at all: tokenise, run, done;
2. ONNX Runtime's transformer optimiser fuses RMSNorm and GELU (dozens of small ops per layer into one each);
3. the weights of every MatMul are quantised to 8 bits (``MatMulNBits``: blocks of 128, symmetric, int8 compute;
   blocks of 128 ran ~10–15 % faster than blocks of 32 at the same cosine to eager, 0.997).
   Only weights: activations stay float, so Gemma's very large activations lose nothing (int8 *dynamic*
   quantisation, which also quantises activations, moved the vectors to cosine 0.77 and is not used).

Tokenising and prompts are the model's own (``SentenceTransformer.preprocess``), so the vector is the model's own
recipe; on the KazQAD questions it has cosine ≥ 0.99 to the eager bf16 vector (checked at build and again at every
load on :data:`PROBES`; below :data:`MIN_COSINE` the path is not used).

The derived files live next to the verified weights (``<model>/onnx-query/``) with a manifest that records the
source weights' SHA-256, the recipe and each file's SHA-256; a file that does not match is refused on load.
"""
from __future__ import annotations

import copy
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .fast_query import MIN_COSINE, PROBES

logger = logging.getLogger(__name__)

FOLDER = "onnx-query"
MODEL_FILE = "model.onnx"
MANIFEST = "manifest.json"
RECIPE = ("torch.onnx dynamo export of transformer + pooling + dense + normalise (fp32, opset 18) -> onnxruntime "
          "transformer fusions (opt level 1) -> MatMulNBits 8-bit weights, block 128, symmetric, accuracy level 4")
RECIPE_VERSION = "3"
INPUTS = ("input_ids", "attention_mask")


def onnx_folder(model_folder: Path) -> Path:
    return Path(model_folder) / FOLDER


def build_command(model_name: str) -> str:
    """Builds the ONNX query model when it is missing, stale or damaged (the weights stay as they are)."""
    return f"review-service models install {model_name}"


class OnnxQueryPath:
    """``encode(text)`` → the unit vector of one query: the model's tokenizer, then one ONNX Runtime call.

    Calls are serialised (one query already uses every core)."""

    def __init__(self, st_model, prompt: str | None, folder: Path, *, threads: int = 0) -> None:
        import onnxruntime as ort
        import torch

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(Path(folder) / MODEL_FILE), options,
                                             providers=["CPUExecutionProvider"])
        self._st = st_model
        self._prompt = prompt
        self._lock = threading.Lock()

    def encode(self, text: str) -> np.ndarray:
        with self._lock:
            features = self._st.preprocess([text], prompt=self._prompt, task="query")
            feed = {n: features[n].numpy().astype(np.int64, copy=False) for n in INPUTS}
            vec = self._session.run(None, feed)[0][0].astype(np.float32, copy=False)
        return vec / max(float(np.linalg.norm(vec)), 1e-12)


def _sentence_embedding(st_model):
    """The SentenceTransformer after its tokenizer, as one fp32 module: (input_ids, attention_mask) → embedding."""
    import torch

    hf = copy.deepcopy(st_model[0].model).float()
    tail = torch.nn.ModuleList(copy.deepcopy(m).float() for m in list(st_model)[1:])

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf
            self.tail = tail

        def forward(self, input_ids, attention_mask):
            features = {"input_ids": input_ids, "attention_mask": attention_mask,
                        "token_embeddings": self.hf(input_ids=input_ids, attention_mask=attention_mask,
                                                    use_cache=False).last_hidden_state}
            for module in self.tail:
                features = module(features)
            return features["sentence_embedding"]

    return SentenceEmbedding().eval()


def build(st_model, prompt: str | None, folder: Path, *, source_sha256: str,
          eager: Callable[[str], np.ndarray], probes: Sequence[str] = PROBES,
          min_cosine: float = MIN_COSINE) -> dict:
    """Export, fuse, quantise and check; write ``folder`` atomically (a temporary folder, then a rename).

    Raises :class:`RuntimeError` if the result's vectors are not within ``min_cosine`` of ``eager`` on every probe
    (then nothing is written). Returns the manifest. Takes ~1–2 min and ~3 GB of memory for EmbeddingGemma."""
    import onnx
    import onnxruntime
    import torch
    from onnxruntime.quantization import matmul_nbits_quantizer as nbits
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    from models.store import replace_dir, sha256_file

    started = time.monotonic()
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    module = _sentence_embedding(st_model)
    example = st_model.preprocess([probes[0]], prompt=prompt, task="query")
    args = tuple(example[n] for n in INPUTS)
    n = torch.export.Dim("n", min=2, max=int(getattr(st_model, "max_seq_length", 512) or 512))
    with tempfile.TemporaryDirectory(prefix=".onnx-query-", dir=folder.parent) as tmp:
        work = Path(tmp)
        exported = work / "fp32.onnx"
        logger.info("exporting the query embedder to ONNX (fp32)…")
        quiet = logging.getLogger("onnxruntime.quantization")
        level = quiet.level
        quiet.setLevel(logging.WARNING)
        try:
            program = torch.onnx.export(module, args, dynamic_shapes=({1: n}, {1: n}), dynamo=True,
                                        opset_version=18, verbose=False)
            if program is None:
                raise RuntimeError("torch.onnx.export returned no program")
            program.save(str(exported), external_data=True)
            del program, module
            logger.info("fusing (RMSNorm, GELU) and quantising weights to 8 bits…")
            fused = optimize_model(str(exported), model_type="bert", num_heads=0, hidden_size=0,
                                   optimization_options=FusionOptions("bert"), opt_level=1)
            config = nbits.DefaultWeightOnlyQuantConfig(block_size=128, is_symmetric=True, accuracy_level=4, bits=8)
            quantiser = nbits.MatMulNBitsQuantizer(fused.model, algo_config=config)
            quantiser.process()
        finally:
            quiet.setLevel(level)
        out = work / "out"
        out.mkdir()
        onnx.save_model(quantiser.model.model, str(out / MODEL_FILE), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=MODEL_FILE + ".data")
        path = OnnxQueryPath(st_model, prompt, out)
        cosine = min(float(np.dot(path.encode(p), eager(p))) for p in probes)
        del path
        if cosine < min_cosine:
            raise RuntimeError(f"the ONNX query model's vectors differ from eager ones (min cosine {cosine:.4f} "
                               f"< {min_cosine}); not installed")
        manifest = {
            "recipe": RECIPE, "recipe_version": RECIPE_VERSION, "source_sha256": source_sha256,
            "onnxruntime": onnxruntime.__version__, "torch": torch.__version__,
            "min_cosine_at_build": round(cosine, 5), "probes": len(probes),
            "files": {p.name: sha256_file(p) for p in sorted(out.iterdir())},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.monotonic() - started, 1),
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
        replace_dir(out, folder)
    logger.info("ONNX query model built in %.0f s (min cosine %.4f) at %s", time.monotonic() - started, cosine,
                folder)
    return manifest


def check_files(folder: Path, *, source_sha256: str, model_name: str) -> dict:
    """The manifest, once the folder's files match it and it was built from ``source_sha256`` with this recipe;
    otherwise :class:`~review_service.core.errors.ModelIntegrityError` naming the command that rebuilds it."""
    from models.store import verify_file
    from review_service.core.errors import ModelIntegrityError, ModelNotInstalled

    folder = Path(folder)
    hint = f"build it with `{build_command(model_name)}` (part of `bash scripts/setup.sh`)"
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelNotInstalled(f"model {model_name!r} has no ONNX query model in {folder}", hint=hint)
    manifest = json.loads(path.read_text())
    if manifest.get("recipe_version") != RECIPE_VERSION or manifest.get("source_sha256") != source_sha256:
        raise ModelIntegrityError(f"the ONNX query model in {folder} was built from other weights or by another "
                                  f"recipe", hint=f"rebuild it with `{build_command(model_name)}`")
    for name, digest in manifest.get("files", {}).items():
        file = folder / name
        if not file.is_file():
            raise ModelIntegrityError(f"the ONNX query model in {folder} lacks {name}",
                                      hint=f"rebuild it with `{build_command(model_name)}`")
        verify_file(file, digest, model_name)
    return manifest


def load(st_model, prompt: str | None, folder: Path, *, source_sha256: str, model_name: str,
         eager: Callable[[str], np.ndarray], probes: Sequence[str] = PROBES,
         min_cosine: float = MIN_COSINE) -> OnnxQueryPath:
    """A verified path: files match the manifest (SHA-256) and every probe is within ``min_cosine`` of eager.
    Raises :class:`~review_service.core.errors.ReviewError` (missing, tampered, or vectors off) otherwise."""
    from review_service.core.errors import ModelIntegrityError

    check_files(folder, source_sha256=source_sha256, model_name=model_name)
    path = OnnxQueryPath(st_model, prompt, folder)
    cosine = min(float(np.dot(path.encode(p), eager(p))) for p in probes)
    if cosine < min_cosine:
        raise ModelIntegrityError(f"the ONNX query model's vectors differ from eager ones (min cosine {cosine:.4f} "
                                  f"< {min_cosine})", hint=f"rebuild it with `{build_command(model_name)}`")
    logger.info("ONNX query path verified (min cosine %.4f on %d probes)", cosine, len(probes))
    return path
