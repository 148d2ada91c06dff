"""Audio/video: real speech (espeak-ng) transcribed by the packaged Whisper base; PyAV-made MP4s."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from review_service.core.domain import Anchor
from review_service.core.errors import IntakeError
from review_service.intake.parsing import media, parse_file
from tests.files import has_espeak, make_speech_wav, make_tone_wav, make_video

SPEECH_RU = "Я работаю в городской библиотеке. Мы помогаем читателям выбрать книгу."
# Whisper base on synthetic speech is rough: any two of these stems prove Russian speech was transcribed.
EXPECTED_STEMS = ("работ", "городск", "библиотек", "помога", "читател", "выбрат", "книг")


def _whisper_installed(settings) -> bool:
    from models.store import resolve

    try:
        resolve(settings.speech_model, settings.models_dir, verify=False)
    except Exception:  # noqa: BLE001
        return False
    return True


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    if not has_espeak():
        pytest.skip("espeak-ng is not installed")
    return make_speech_wav(tmp_path_factory.mktemp("speech") / "ru.wav", SPEECH_RU, voice="ru", words_per_minute=150)


@pytest.fixture
def whisper(settings):
    if not _whisper_installed(settings):
        pytest.skip("whisper-base is not installed (review-service models install whisper-base)")
    return settings


def test_russian_speech_wav_is_transcribed(speech_wav: Path, whisper) -> None:
    doc = parse_file(speech_wav, whisper)
    assert doc.format == "audio"
    assert 3.0 < (doc.duration_s or 0) < 9.0
    assert doc.meta["speech_language"] == "ru"
    text = doc.text.lower()
    found = [stem for stem in EXPECTED_STEMS if stem in text]
    assert len(found) >= 2, f"transcript {doc.text!r} has too few expected words"
    assert all(b.kind == "segment" and b.anchor.kind == "time" for b in doc.blocks)
    assert all(0 < b.confidence <= 1 for b in doc.blocks)
    starts = [b.anchor.start for b in doc.blocks]
    assert starts == sorted(starts) and all(b.anchor.end and b.anchor.end > b.anchor.start for b in doc.blocks)
    assert not any(w.code == "low_confidence_transcript" for w in doc.warnings)


def test_mp4_video_with_sound(tmp_path: Path, speech_wav: Path, whisper) -> None:
    video = make_video(tmp_path / "talk.mp4", audio_wav=speech_wav)
    doc = parse_file(video, whisper)
    assert doc.format == "video"
    assert doc.duration_s == pytest.approx(media.probe(speech_wav)[0], abs=0.5)
    assert any(stem in doc.text.lower() for stem in EXPECTED_STEMS)


def test_video_without_sound_track(tmp_path: Path, settings) -> None:
    with pytest.raises(IntakeError) as info:
        parse_file(make_video(tmp_path / "silent.mp4", seconds=1.0), settings)
    assert info.value.code == "no_text"
    assert "no sound track" in info.value.message


def test_probe_reads_duration_and_streams(tmp_path: Path) -> None:
    duration, has_audio, has_video = media.probe(make_tone_wav(tmp_path / "t.wav", seconds=2.0))
    assert duration == pytest.approx(2.0, abs=0.05) and has_audio and not has_video


def test_no_speech_in_a_tone(tmp_path: Path, whisper) -> None:
    with pytest.raises(IntakeError) as info:
        parse_file(make_tone_wav(tmp_path / "tone.wav", seconds=2.0), whisper)
    assert info.value.code == "no_text"


def _seg(text: str, start: float, end: float, avg_logprob: float, no_speech_prob: float = 0.1):
    return SimpleNamespace(text=text, start=start, end=end, avg_logprob=avg_logprob, no_speech_prob=no_speech_prob)


def test_segments_to_blocks_confidence_and_kazakh_cap() -> None:
    segments = [_seg(" Сәлеметсіз бе ", 0.0, 2.5, -0.1), _seg("...", 2.5, 3.0, -2.0, no_speech_prob=0.95),
                _seg("", 3.0, 4.0, -0.2)]
    ru = media.segments_to_blocks(segments, "ru")
    assert [(b.text, b.anchor) for b in ru] == [("Сәлеметсіз бе", Anchor("time", 0.0, 2.5))]
    assert ru[0].confidence == pytest.approx(0.905, abs=0.001)
    kk = media.segments_to_blocks(segments, "kk")
    assert kk[0].confidence == media.KK_MAX_CONFIDENCE


def test_kazakh_transcript_is_flagged(tmp_path: Path, settings, monkeypatch) -> None:
    """The warning and the ≤ 0.5 cap whenever Whisper hears Kazakh (language detection stubbed: espeak's
    Kazakh voice is not recognised as Kazakh by Whisper base)."""
    wav = make_tone_wav(tmp_path / "kk.wav", seconds=1.0)
    blocks = media.segments_to_blocks([_seg("Кітапхана оқырмандарға көмектеседі", 0.0, 1.0, -0.05)], "kk")
    monkeypatch.setattr(media, "transcribe", lambda path, settings: (blocks, "kk", 0.7))
    doc = parse_file(wav, settings)
    assert all(b.confidence <= 0.5 for b in doc.blocks)
    assert [(w.code, w.message) for w in doc.warnings] == [(
        "low_confidence_transcript",
        "Kazakh speech recognition with Whisper base is unreliable; check the transcript against the recording")]
    assert doc.meta["speech_language"] == "kk"
