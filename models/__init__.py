"""ML model registry, installer and loaders. "Model" here always means an ML model."""
from __future__ import annotations

from .registry import REGISTRY, ModelSpec, Part, get_spec
from .store import bf16_supported, install, resolve, status, torch_dtype, verify_all

__all__ = [
           "REGISTRY",
           "ModelSpec",
           "Part",
           "bf16_supported",
           "get_spec",
           "install",
           "resolve",
           "status",
           "torch_dtype",
           "verify_all",
]
