"""Encoders (text → unit vectors) and vector indexes.

``Encoder.encode(texts, kind)`` is the one core method; query/document prompts are the encoder's business.
"""
from __future__ import annotations

from .encoder import CachedEncoder, Encoder, MemoryCache, SentenceTransformerEncoder, load_encoder, text_key

__all__ = ["CachedEncoder", "Encoder", "MemoryCache", "SentenceTransformerEncoder", "load_encoder", "text_key"]
