"""Audio and video → transcript segments (``Anchor("time", start, end)``, kind ``segment``).

Duration is read with PyAV from the container before anything is decoded, so an over-long recording is
refused as ``media_too_long`` cheaply. Speech is transcribed with faster-whisper and the packaged Whisper
base model (``settings.speech_model``), int8 on the CPU, loaded once per process. The spoken language is
chosen among the contest's languages (kk, ru, en) from Whisper's language probabilities, since Whisper
base often takes Kazakh for a neighbouring language. Silero VAD (bundled with faster-whisper) skips
non-speech, so music or silence does not make Whisper invent text. Block confidence is ``exp(avg_logprob)``; Kazakh
transcripts are capped at 0.5 and flagged ``low_confidence_transcript``.
"""
from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Anchor, Block, ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.core.normalize import normalize_text

logger = logging.getLogger(__name__)

CONTEST_LANGUAGES = ("kk", "ru", "en")
KK_MAX_CONFIDENCE = 0.5
BEAM_SIZE = 5
TEMPERATURES = (0.0, 0.4, 0.8)  # fewer fallbacks than the default six: bounded time on noise
_lock = threading.Lock()


def probe(path: Path) -> tuple[float | None, bool, bool]:
    """(duration in seconds or None, has audio, has video) from the container, without decoding."""
    import av

    try:
        with av.open(str(path)) as container:
            has_audio = any(s.type == "audio" for s in container.streams)
            has_video = any(s.type == "video" and not is_cover_art(s) for s in container.streams)
            duration = container.duration / 1_000_000 if container.duration else None
            if duration is None:
                for stream in container.streams:
                    if stream.duration and stream.time_base:
                        duration = max(duration or 0.0, float(stream.duration * stream.time_base))
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise IntakeError("corrupt", f"the recording cannot be opened ({exc})",
                          hint="the file is probably truncated or damaged; ask the applicant to send it again") from exc
    return duration, has_audio, has_video


def is_cover_art(stream) -> bool:
    """MP3/M4A album art shows up as a one-picture video stream marked ``attached_pic``."""
    return "attached_pic" in str(getattr(stream, "disposition", "")).lower()


@lru_cache(maxsize=2)
def _model(folder: str, threads: int):
    from faster_whisper import WhisperModel

    logger.info("loading Whisper from %s (int8, %d threads)", folder, threads)
    return WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads)


def load_whisper(settings: Settings):
    """The packaged Whisper model, loaded once per process (per settings.models_dir and thread count)."""
    from models.store import resolve

    folder = resolve(settings.speech_model, settings.models_dir)
    threads = settings.threads or os.cpu_count() or 1
    return _model(str(folder), threads)


def _language(model, audio) -> tuple[str, float]:
    _, _, probabilities = model.detect_language(audio)
    probs = dict(probabilities)
    best = max(CONTEST_LANGUAGES, key=lambda lang: probs.get(lang, 0.0))
    overall = max(probs.items(), key=lambda kv: kv[1]) if probs else (best, 0.0)
    if overall[0] != best:
        logger.info("Whisper's top language %s (%.2f) is not a contest language; using %s (%.2f)",
                    overall[0], overall[1], best, probs.get(best, 0.0))
    return best, probs.get(best, 0.0)


def segments_to_blocks(segments: Iterable, language: str) -> list[Block]:
    """Whisper segments (``.text .start .end .avg_logprob .no_speech_prob``) → time-anchored blocks.
    Confidence is ``exp(avg_logprob)``, capped at 0.5 for Kazakh; likely non-speech segments are dropped."""
    blocks = []
    for seg in segments:
        text = normalize_text(seg.text)
        if not text or (seg.no_speech_prob > 0.8 and seg.avg_logprob < -1.0):
            continue
        confidence = max(0.0, min(1.0, math.exp(seg.avg_logprob)))
        if language == "kk":
            confidence = min(confidence, KK_MAX_CONFIDENCE)
        blocks.append(Block(text, Anchor("time", round(seg.start, 2), round(seg.end, 2)), "segment",
                            round(confidence, 3)))
    return blocks


def transcribe(path: Path, settings: Settings) -> tuple[list[Block], str, float]:
    """(segment blocks, language, language probability) of a recording's speech."""
    from faster_whisper import decode_audio

    model = load_whisper(settings)
    try:
        audio = decode_audio(str(path), sampling_rate=model.feature_extractor.sampling_rate)
    except Exception as exc:
        raise IntakeError("corrupt", f"the sound track cannot be decoded ({type(exc).__name__}: {exc})",
                          hint="ask the applicant to export the recording again (MP4 or MP3)") from exc
    if len(audio) == 0:
        return [], "und", 0.0
    with _lock:
        language, probability = _language(model, audio)
        segments, _info = model.transcribe(audio, language=language, beam_size=BEAM_SIZE, temperature=TEMPERATURES,
                                           condition_on_previous_text=False, vad_filter=True)
        blocks = segments_to_blocks(segments, language)
    return blocks, language, probability


def parse_media(path: Path, settings: Settings, fmt: str, *, warnings: tuple[Reason, ...] = ()) -> ParsedDocument:
    duration, has_audio, has_video = probe(path)
    fmt = "video" if has_video else "audio"
    if duration is not None and duration > settings.max_media_minutes * 60:
        raise IntakeError("media_too_long", f"the recording lasts {duration / 60:.1f} min, over the limit of "
                          f"{settings.max_media_minutes:g} min",
                          hint="ask for the required short presentation, or raise REVIEW_MAX_MEDIA_MINUTES")
    if not has_audio:
        what = "video has no sound track" if has_video else "file has no audio stream"
        raise IntakeError("no_text", f"the {what}, so there is no speech to transcribe",
                          hint="ask the applicant for a version with narration, or a script of the talk")
    blocks, language, probability = transcribe(path, settings)
    if not blocks:
        raise IntakeError("no_text", f"no speech was recognised in the {fmt}",
                          hint="check the recording; ask the applicant for a script of the talk")
    found = list(warnings)
    if language == "kk":
        found.append(Reason("low_confidence_transcript", "Kazakh speech recognition with Whisper base is "
                                                         "unreliable; check the transcript against the recording"))
    meta = {"speech_language": language, "speech_language_probability": f"{probability:.2f}",
            "speech_model": settings.speech_model}
    if duration is None:
        duration = max((b.anchor.end or b.anchor.start) for b in blocks)
    return ParsedDocument(format=fmt, blocks=tuple(blocks), duration_s=round(duration, 2),
                          warnings=tuple(found), meta=meta)
