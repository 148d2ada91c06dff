"""Text generators: one core method, ``generate(prompt) -> str``, and backends chosen by name.

Backends (see :data:`BACKENDS`):

- ``local``: the packaged Qwen2.5-Coder-1.5B-Instruct from the registry, loaded from the bf16 safetensors
  the installer derived once (``<model dir>/hf``), with its chat template; loaded once per process.
- ``openai``: any OpenAI-compatible ``/v1/chat/completions`` endpoint (vLLM, Ollama, TGI), by settings
  ``generator_url``, ``generator_api_key``, ``generator_remote_model``.
- ``none``: no generator; notes are extractive only.

``languages`` says which note languages a backend writes well enough for abstractive sentences; everything
else (Kazakh with the local model) gets extractive, cited notes. Generators never score or decide anything.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from review_service.core.errors import ConfigError, GeneratorError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationStats:
    """What the last call cost: prompt and new tokens, seconds (for benchmarks and logs)."""

    prompt_tokens: int
    new_tokens: int
    seconds: float


@runtime_checkable
class Generator(Protocol):
    model_id: str
    revision: str
    languages: tuple[str, ...]

    def generate(self, prompt: str, *, max_new_tokens: int = 256, system: str = "",
                 temperature: float = 0.0, prefix: str = "") -> str:
        """The model's reply to ``prompt`` (a user message; ``system`` optional). ``prefix`` is how the reply
        must begin (e.g. the first characters of the asked-for JSON): a backend that can, starts the reply with
        it and lets the model continue; the returned text then includes it. Others ignore it."""
        ...


class NoneGenerator:
    """No generator configured: every caller takes its extractive path."""

    model_id = "none"
    revision = ""
    languages: tuple[str, ...] = ()
    last_stats: GenerationStats | None = None

    def generate(self, prompt: str, *, max_new_tokens: int = 256, system: str = "",
                 temperature: float = 0.0, prefix: str = "") -> str:
        raise GeneratorError("no generator is configured (generator backend 'none')",
                             hint="set REVIEW_GENERATOR_BACKEND=local or openai for abstractive drafts")


class LocalGenerator:
    """A causal LM from a local folder (transformers), driven through its chat template."""

    def __init__(self, path: Path, *, model_id: str, revision: str = "", dtype: str = "auto",
                 threads: int = 0, languages: tuple[str, ...] = ("ru", "en")) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from models.store import torch_dtype

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        started = time.monotonic()
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype(dtype), local_files_only=True)
        self.model.eval()
        self.model_id = model_id
        self.revision = revision
        self.languages = languages
        self.last_stats: GenerationStats | None = None
        logger.info("loaded generator %s from %s in %.1f s", model_id, path, time.monotonic() - started)

    def chat_ids(self, prompt: str, system: str = "", prefix: str = ""):
        """Token ids of the chat up to the assistant's turn, which starts with ``prefix``."""
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": prompt}
        ]
        text = str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))
        return self.tokenizer(text + prefix, return_tensors="pt")

    def generate(self, prompt: str, *, max_new_tokens: int = 256, system: str = "",
                 temperature: float = 0.0, prefix: str = "") -> str:
        inputs = self.chat_ids(prompt, system, prefix)
        kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens, "pad_token_id": self.tokenizer.eos_token_id}
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        started = time.monotonic()
        try:
            with self._torch.inference_mode():
                out = self.model.generate(**inputs, **kwargs)
        except RuntimeError as exc:  # e.g. out of memory
            raise GeneratorError(f"local generator {self.model_id} failed: {exc}") from exc
        n_prompt = int(inputs["input_ids"].shape[1])
        new = out[0, n_prompt:]
        self.last_stats = GenerationStats(n_prompt, int(new.shape[0]), time.monotonic() - started)
        reply = str(self.tokenizer.decode(new, skip_special_tokens=True)).rstrip()
        return prefix + reply if prefix else reply.strip()


class OpenAIGenerator:
    """Any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, TGI), over httpx."""

    def __init__(self, base_url: str, *, model: str, api_key: str = "", timeout: float = 120.0,
                 languages: tuple[str, ...] = ("ru", "en")) -> None:
        import httpx

        if not base_url:
            raise ConfigError("generator backend 'openai' needs a URL",
                              hint="set REVIEW_GENERATOR_URL, e.g. http://gpu-server:8000/v1")
        if not model:
            raise ConfigError("generator backend 'openai' needs a model name",
                              hint="set REVIEW_GENERATOR_REMOTE_MODEL to the name the server serves")
        base = base_url.rstrip("/")
        self.url = base + "/chat/completions" if base.endswith("/v1") else base + "/v1/chat/completions"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)
        self._httpx = httpx
        self.model_id = f"openai:{model}"
        self.revision = base
        self.remote_model = model
        self.languages = languages
        self.last_stats: GenerationStats | None = None

    def generate(self, prompt: str, *, max_new_tokens: int = 256, system: str = "",
                 temperature: float = 0.0, prefix: str = "") -> str:
        """``prefix`` is not sent: prefilling the assistant turn is not part of the OpenAI chat API (servers
        that follow the instruction well do not need it)."""
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": prompt}
        ]
        body = {"model": self.remote_model, "messages": messages, "max_tokens": max_new_tokens,
                "temperature": temperature, "stream": False}
        started = time.monotonic()
        try:
            resp = self._client.post(self.url, json=body)
        except self._httpx.HTTPError as exc:
            raise GeneratorError(f"generator endpoint {self.url} unreachable: {exc}",
                                 hint="check REVIEW_GENERATOR_URL and that the server is running") from exc
        if resp.status_code != 200:
            raise GeneratorError(f"generator endpoint {self.url} answered {resp.status_code}: {resp.text[:300]}",
                                 hint="check REVIEW_GENERATOR_REMOTE_MODEL and REVIEW_GENERATOR_API_KEY")
        try:
            data = resp.json()
            text = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise GeneratorError(f"generator endpoint {self.url} sent an unexpected reply: {resp.text[:300]}") from exc
        usage = data.get("usage") or {}
        self.last_stats = GenerationStats(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)),
                                          time.monotonic() - started)
        return str(text or "").strip()


def _languages(settings, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = getattr(settings, "generator_languages", "")
    if not raw:
        return default
    if isinstance(raw, str):
        raw = raw.split(",")
    return tuple(x.strip() for x in raw if x.strip())


@lru_cache(maxsize=2)
def _load_local(name: str, models_dir: str, dtype: str, threads: int, languages: tuple[str, ...]) -> LocalGenerator:
    from models.registry import get_spec
    from models.store import resolve

    spec = get_spec(name)
    if spec.task != "generator":
        raise ConfigError(f"model {name!r} is a {spec.task}, not a generator",
                          hint="set REVIEW_GENERATOR to a generator from `review-service models list`")
    folder = resolve(name, Path(models_dir))
    hf = folder / "hf"
    if not (hf / "config.json").is_file():
        from review_service.core.errors import ModelIntegrityError

        raise ModelIntegrityError(f"model {name!r} has no derived safetensors in {hf}",
                                  hint=f"reinstall with `review-service models install {name} --force`")
    return LocalGenerator(hf, model_id=name, revision=spec.revision, dtype=dtype, threads=threads,
                          languages=languages or tuple(spec.languages))


def _local(settings) -> Generator:
    return _load_local(settings.generator, str(settings.models_dir), settings.dtype, settings.threads,
                       _languages(settings, ()))


def _openai(settings) -> Generator:
    return OpenAIGenerator(settings.generator_url, model=settings.generator_remote_model,
                           api_key=settings.generator_api_key, languages=_languages(settings, ("ru", "en")))


def _none(settings) -> Generator:
    return NoneGenerator()


BACKENDS: dict[str, Callable[[Any], Generator]] = {"local": _local, "openai": _openai, "none": _none}


def load_generator(settings=None, backend: str | None = None) -> Generator:
    """The generator named by ``backend`` (default ``settings.generator_backend``); local ones load once."""
    if settings is None:
        from review_service.core.config import get_settings

        settings = get_settings()
    name = backend or settings.generator_backend
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ConfigError(f"unknown generator backend {name!r}; known backends: {', '.join(sorted(BACKENDS))}",
                          hint="use --generator local|openai|none or REVIEW_GENERATOR_BACKEND") from None
    return factory(settings)
