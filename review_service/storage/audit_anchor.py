"""The audit chain's anchor outside the database: the HMAC key and the signed checkpoint.

The key is ``REVIEW_AUDIT_KEY`` (a setting, at least 32 characters) or, by default, the file
``{data_dir}/audit.key`` (``REVIEW_AUDIT_KEY_FILE``): 32 random bytes in hex, made with mode 0600 on first use.
Two servers starting together both link a fully written temporary file to that name; the second link fails and
that server reads the first one's key, so they never sign with two keys. A key file that others may read or
write (any group or other permission bit) is refused: a key that leaked proves nothing. A key that is missing
while the log holds signed records is refused too, rather than replaced: a new key would sign records that
could not be told from forged ones.

The checkpoint ``{data_dir}/audit.checkpoint`` (``REVIEW_AUDIT_CHECKPOINT``) names the chain's length, head
record and head hash, signed with the same key. It is written after each appending transaction commits,
replaced atomically (``os.replace``) under a file lock and only ever forwards: a writer whose commit was
overtaken by another's leaves the newer checkpoint in place. So the checkpoint may be behind the chain by the
commits in flight (or by one whose process died between commit and write) but never ahead of it.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from review_service.core.errors import AuditKeyError
from review_service.storage import audit_chain as audit

logger = logging.getLogger(__name__)
CHECKPOINT_FORMAT = "review-service/audit-checkpoint@1"
RECORD_DOMAIN = "review-service/audit-record@1"
MIN_SETTING_CHARS = 32


class AuditKey:
    """HMAC-SHA256 under one key; ``key_id`` is a fingerprint of the key (safe to store and show)."""

    def __init__(self, secret: bytes, source: str) -> None:
        self._secret = secret
        self.source = source  # where it came from, for messages: the file's path or the setting's name
        self.key_id = hmac.new(secret, b"review-service audit key id", hashlib.sha256).hexdigest()[:16]

    def mac(self, text: str) -> str:
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def sign(self, seq: int, canonical: str) -> str:
        """The HMAC of a record: its position and its canonical content (which holds the previous hash)."""
        return self.mac(f"{RECORD_DOMAIN}\n{seq}\n{canonical}")

    def check(self, seq: int, canonical: str, mac: str) -> bool:
        return hmac.compare_digest(self.sign(seq, canonical), mac)


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the chain's length at the time
    id: int  # the head record's id
    hash: str  # the head record's hash
    at: str
    key_id: str


@dataclass(frozen=True)
class CheckpointRead:
    """What the checkpoint file says: ``state`` is ok, missing or invalid (with ``reason``)."""

    state: str
    checkpoint: Checkpoint | None = None
    reason: str = ""


def _body(cp: Checkpoint) -> str:
    fields = {"format": CHECKPOINT_FORMAT, "seq": cp.seq, "id": cp.id, "hash": cp.hash, "at": cp.at,
              "key_id": cp.key_id}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class Anchor:
    """The key and the checkpoint's path; :meth:`advance` is called after each appending commit."""

    def __init__(self, key: AuditKey, checkpoint_path: Path) -> None:
        self.key = key
        self.checkpoint_path = checkpoint_path

    def read(self) -> CheckpointRead:
        try:
            raw = json.loads(self.checkpoint_path.read_text(encoding="utf-8"))
            cp = Checkpoint(int(raw["seq"]), int(raw["id"]), str(raw["hash"]), str(raw["at"]), str(raw["key_id"]))
            mac = str(raw["mac"])
        except FileNotFoundError:
            return CheckpointRead("missing", reason=f"the checkpoint file {self.checkpoint_path} is missing")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return CheckpointRead("invalid", reason=f"the checkpoint file cannot be read ({type(exc).__name__})")
        if raw.get("format") != CHECKPOINT_FORMAT:
            return CheckpointRead("invalid", reason=f"the checkpoint is not in the format {CHECKPOINT_FORMAT}")
        if cp.key_id != self.key.key_id:
            return CheckpointRead("invalid", cp, f"the checkpoint was signed with another key (id {cp.key_id})")
        if not hmac.compare_digest(self.key.mac(_body(cp)), mac):
            return CheckpointRead("invalid", cp, "the checkpoint's signature does not match (forged or changed)")
        return CheckpointRead("ok", cp)

    def advance(self, head: audit.Head) -> None:
        """Write the checkpoint for ``head`` unless a valid one already names a longer chain."""
        path = self.checkpoint_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path.with_name(path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                current = self.read()
                if current.state == "ok" and current.checkpoint and current.checkpoint.seq >= head.seq:
                    return
                cp = Checkpoint(head.seq, head.id, head.hash, datetime.now(UTC).isoformat(timespec="seconds"),
                                self.key.key_id)
                record = {**json.loads(_body(cp)), "mac": self.key.mac(_body(cp))}
                _write_atomic(path, json.dumps(record, sort_keys=True) + "\n")
        except OSError as exc:  # the record is committed; verify reports a checkpoint behind or missing
            logger.error("could not write the audit checkpoint %s: %s", path, exc)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _key_file_hint(path: Path) -> str:
    return (f"restore {path} (mode 0600) from the backup made with the data dir, or set REVIEW_AUDIT_KEY / "
            "REVIEW_AUDIT_KEY_FILE to the key the log was signed with (docs/jury.md, 'Audit trail')")


def _read_key_file(path: Path) -> AuditKey:
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise AuditKeyError(f"the audit key {path} is not a regular file", hint=_key_file_hint(path))
    if info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise AuditKeyError(f"the audit key file {path} has mode {mode:04o}: others may read or change it",
                          hint=f"chmod 600 {path} (and make sure nobody else copied it)")
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise AuditKeyError(f"the audit key file {path} does not hold a key (64 hex digits)",
                          hint=_key_file_hint(path))
    return AuditKey(secret, str(path))


def _create_key_file(path: Path) -> None:
    """Write a new key to a temporary file, then link it to ``path``: the first of two racing servers wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
            logger.warning("made a new audit key %s: back it up with the data dir (docs/jury.md)", path)
        except FileExistsError:
            pass  # another server made it first; theirs is the key
    finally:
        tmp.unlink(missing_ok=True)


def load_key(settings: Any, engine: sa.Engine) -> AuditKey:
    """The key from the setting, else the key file (made when the log holds no signed record yet)."""
    setting = settings.audit_key.get_secret_value()
    if setting:
        if len(setting) < MIN_SETTING_CHARS:
            raise AuditKeyError(f"REVIEW_AUDIT_KEY is {len(setting)} characters; at least {MIN_SETTING_CHARS} needed",
                              hint="python -c 'import secrets; print(secrets.token_hex(32))'")
        return AuditKey(setting.encode("utf-8"), "REVIEW_AUDIT_KEY")
    path = settings.audit_key_path
    if not path.exists():
        with engine.connect() as conn:
            signed = audit.has_signed(conn)
        if signed:
            raise AuditKeyError(f"the audit key {path} is missing, but the audit log holds records signed with it",
                              hint=_key_file_hint(path))
        _create_key_file(path)
    return _read_key_file(path)


def load_anchor(settings: Any, engine: sa.Engine) -> Anchor:
    return Anchor(load_key(settings, engine), settings.audit_checkpoint_path)
