"""Archives attached to a letter: ZIP unpacked in memory under the same zip-bomb and size limits as a DOCX or PPTX
(:func:`review_service.intake.parsing.detect.check_zip`: ``max_unpacked_mb``, ``max_compression_ratio``, the part
count), nested ZIPs opened two levels deep; RAR and 7z are named and left for a person to unpack (no maintained
pure-Python reader for RAR; 7z is not installed). Office files (DOCX, PPTX, ODT) are ZIPs too and are never
unpacked. Pure: bytes in, members out."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from review_service.core.config import Settings
from review_service.core.errors import IntakeError
from review_service.intake.mailbox.names import safe_name, zip_member_name
from review_service.intake.parsing.detect import MB, check_zip

MAX_NESTING = 2


@dataclass(frozen=True)
class Refused(Exception):
    """An archive not unpacked: a reason code and its parameters."""

    code: str
    params: dict = field(default_factory=dict)


def archive_kind(data: bytes) -> str | None:
    """``zip``, ``rar`` or ``7z`` when ``data`` is an archive to unpack (not an Office document), else None."""
    if data.startswith(b"Rar!"):
        return "rar"
    if data.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # a damaged ZIP: unpack_zip says so
    office = "[Content_Types].xml" in names or ("mimetype" in names and "content.xml" in names)
    return None if office else "zip"


def unpack_zip(data: bytes, settings: Settings, depth: int = 0) -> list[tuple[str, bytes]]:
    """The files inside a ZIP (name, bytes), nested ZIPs unpacked too; :class:`Refused` when the archive is a zip
    bomb, too large, damaged or encrypted. Folders inside the archive are flattened (the name's last part)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("archive_corrupt") from None
    limits = {"limit_mb": settings.max_unpacked_mb, "max_ratio": settings.max_compression_ratio}
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        try:
            check_zip(zf, settings, "archive")
        except IntakeError:
            total = sum(i.file_size for i in infos)
            ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0.0)
            raise Refused("zip_bomb", {**limits, "unpacked_mb": round(total / MB, 1), "ratio": round(ratio)}) from None
        out: list[tuple[str, bytes]] = []
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refused("archive_encrypted")
            if f"/{info.filename}".find("/__MACOSX/") >= 0 or info.filename.rsplit("/", 1)[-1].startswith("._"):
                continue  # macOS resource forks, not files anyone sent
            name = safe_name(zip_member_name(info.filename, info.flag_bits))
            try:
                member = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                raise Refused("archive_corrupt") from None
            if archive_kind(member) == "zip":
                if depth + 1 >= MAX_NESTING:
                    raise Refused("archive_nested", {"depth": MAX_NESTING})
                out.extend(unpack_zip(member, settings, depth + 1))
            else:
                out.append((name, member))
        if sum(len(m) for _, m in out) > settings.max_unpacked_mb * MB:  # nested ZIPs add up
            raise Refused("zip_bomb", {**limits, "unpacked_mb": round(sum(len(m) for _, m in out) / MB, 1),
                                       "ratio": round(sum(len(m) for _, m in out) / max(len(data), 1))})
    return out
