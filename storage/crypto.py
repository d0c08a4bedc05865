"""Protection of personal data at rest (Nghị định 13/2023/NĐ-CP).

ID numbers and bank accounts are stored encrypted (AES-256-GCM) and looked up
for duplicates through a blind index (HMAC-SHA256 of the normalised value), so
the database never holds them in clear and an equality search needs no
decryption. Both keys are derived with HKDF-SHA256 from one secret, under
different ``info`` labels, so leaking the index key does not reveal the
encryption key and vice versa.

Token format: ``v1:<base64url(nonce || ciphertext || tag)>``. The version
prefix names the key and algorithm, so key rotation can later add "v2" and
keep decrypting "v1" tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

VERSION = "v1"
_SALT = b"hotro/data-protection"
_NONCE_LEN = 12  # 96-bit random nonces: safe for far more than 2**32 / this project's records
MIN_KEY_CHARS = 32
SEALED = "sealed"  # the one key of a sealed JSON value


def is_sealed(stored: Any) -> bool:
    """A JSON column's value as DataProtector.seal_json stores it."""
    return isinstance(stored, dict) and len(stored) == 1 and SEALED in stored


_INDEX_STRIP = re.compile(r"[\s.\-–—_]+")


class DecryptionError(ValueError):
    """A token that is malformed, of an unknown version, or was not made with this key."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(key_material: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=label.encode()).derive(key_material)


def normalise_for_index(value: str) -> str:
    """NFKC, case-folded, without spaces, dots and dashes: "0912.345.678" and "0912 345 678" match."""
    return _INDEX_STRIP.sub("", unicodedata.normalize("NFKC", value)).casefold()


def fold_name(name: str) -> str:
    """A name as a blind index compares it: NFKD without combining marks (đ as d), case-folded, single spaces.

    "Nguyễn Thị  Lan", "NGUYEN THI LAN" and "nguyen thi lan" fold alike: the same person typed with or
    without diacritics (a phone without a Vietnamese keyboard) is still recognised.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


class DataProtector:
    """Encrypts personal fields and computes blind indexes from one secret."""

    __slots__ = ("_aead", "_index_key", "key_id", "web_session_key")

    def __init__(self, key_material: str) -> None:
        material = key_material.strip()
        if len(material) < MIN_KEY_CHARS:
            # HKDF does not stretch weak secrets; a short passphrase would be guessable.
            raise ValueError(
                f"key material must be at least {MIN_KEY_CHARS} characters of random data (use load_or_create_key)"
            )
        ikm = material.encode("utf-8")
        self._aead = AESGCM(_derive(ikm, f"hotro/encrypt/{VERSION}"))
        self._index_key = _derive(ikm, "hotro/blind-index/v1")
        # Stored in the database to recognise the key; a one-way hash under its own label, never the key.
        self.key_id = hmac.new(_derive(ikm, "hotro/key-id"), b"hotro key id", hashlib.sha256).hexdigest()[:32]
        # The web console's session cookies are encrypted with a key of their own, derived from the same secret.
        self.web_session_key = _derive(ikm, "hotro/web-session/v1")

    def __repr__(self) -> str:  # never show key bytes in logs or tracebacks
        return "DataProtector(<keys hidden>)"

    def encrypt(self, text: str, *, context: str = "") -> str:
        """Encrypt ``text``; ``context`` (e.g. "id_number") is authenticated, so a token
        copied into another column does not decrypt there."""
        nonce = secrets.token_bytes(_NONCE_LEN)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), self._aad(context))
        return f"{VERSION}:{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        version, sep, body = token.partition(":")
        if not sep or version != VERSION:
            raise DecryptionError(f"unknown token version {version!r}" if sep else "not a token")
        try:
            raw = _b64decode(body)
            plain = self._aead.decrypt(raw[:_NONCE_LEN], raw[_NONCE_LEN:], self._aad(context))
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("token was altered or made with another key") from exc
        return plain.decode("utf-8")

    def blind_index(self, kind: str, value: str) -> str:
        """A keyed hash of the normalised value, for duplicate lookups.

        ``kind`` ("id_number", "bank_account", "phone") is part of the hashed
        message, so the same digits under two kinds give unrelated indexes.
        """
        if not kind or "\x1f" in kind:
            raise ValueError("kind must be a non-empty label")
        message = f"{kind}\x1f{normalise_for_index(value)}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    def person_index(self, full_name: str, birth_date: date) -> str:
        """The blind index of a person by name and birth date: the folded name and the ISO date."""
        return self.blind_index("name_birth_date", f"{fold_name(full_name)}|{birth_date.isoformat()}")

    def seal_json(self, value: Any, *, context: str) -> dict[str, str]:
        """A JSON value encrypted as a whole, stored as {"sealed": token} in a JSON column."""
        return {SEALED: self.encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")), context=context)}

    def open_json(self, stored: Any, *, context: str) -> Any:
        """The value `seal_json` sealed; anything else is returned as it is (rows from before sealing)."""
        if is_sealed(stored):
            return json.loads(self.decrypt(stored[SEALED], context=context))
        return stored

    @staticmethod
    def _aad(context: str) -> bytes:
        return f"{VERSION}|{context}".encode()


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ValueError(f"key file {path} is empty")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        log.warning("key file %s is readable by other users (mode %o); run chmod 600", path, mode)
    return key


def _write_exclusive(path: Path, key: str) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def load_or_create_key(path: Path) -> str:
    """Return the key stored at ``path``, creating it (256 random bits, mode 0600) if missing.

    Creation is atomic: the key is written to a private temporary file and
    hard-linked into place, so two processes starting together end up with
    the same key and nobody reads a half-written file.
    """
    path = Path(path)
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = _b64encode(secrets.token_bytes(32))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hotro-key-")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_key(path)  # another process won the race: use its key
        except OSError:
            # Filesystems without hard links: exclusive create, still never overwrites.
            return _write_exclusive(path, key)
    finally:
        os.unlink(tmp)
    return key
