"""Personal-data protection: encryption round trips, tamper detection, blind index, key file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.crypto import DataProtector, DecryptionError, _derive, load_or_create_key

KEY = "k" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz"  # test-only key material


@pytest.fixture
def protector() -> DataProtector:
    return DataProtector(KEY)


@pytest.mark.parametrize("text", ["001085012345", "Nguyễn Văn An", "", "😀 số tài khoản 0123"])
def test_round_trip(protector: DataProtector, text: str) -> None:
    token = protector.encrypt(text)
    assert token.startswith("v1:")
    assert text == "" or text not in token
    assert protector.decrypt(token) == text


def test_tokens_are_randomised(protector: DataProtector) -> None:
    assert protector.encrypt("001085012345") != protector.encrypt("001085012345")


def test_tampered_token_is_rejected(protector: DataProtector) -> None:
    token = protector.encrypt("001085012345")
    version, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1
    forged = version + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(DecryptionError):
        protector.decrypt(forged)


@pytest.mark.parametrize("token", ["", "garbage", "v2:AAAA", "v1:", "v1:!!!not-base64!!!", "v1:AAAA"])
def test_malformed_tokens_raise_decryption_error(protector: DataProtector, token: str) -> None:
    with pytest.raises(DecryptionError):
        protector.decrypt(token)


def test_other_key_cannot_decrypt(protector: DataProtector) -> None:
    other = DataProtector("z" * 44)
    with pytest.raises(DecryptionError):
        other.decrypt(protector.encrypt("001085012345"))


def test_context_binds_token_to_its_field(protector: DataProtector) -> None:
    token = protector.encrypt("0123456789", context="bank_account")
    assert protector.decrypt(token, context="bank_account") == "0123456789"
    with pytest.raises(DecryptionError):
        protector.decrypt(token, context="id_number")


def test_blind_index_is_stable_normalised_and_keyed(protector: DataProtector) -> None:
    a = protector.blind_index("id_number", "001085012345")
    assert a == protector.blind_index("id_number", " 001 085.012-345 ")
    assert len(a) == 64 and int(a, 16) >= 0
    assert a != protector.blind_index("id_number", "001085012346")
    assert a != protector.blind_index("bank_account", "001085012345")  # kinds are separated
    assert a != DataProtector("z" * 44).blind_index("id_number", "001085012345")  # keyed
    with pytest.raises(ValueError):
        protector.blind_index("", "x")


def test_subkeys_are_derived_separately_with_hkdf(protector: DataProtector) -> None:
    ikm = KEY.encode()
    enc_key = _derive(ikm, "hotro/encrypt/v1")
    index_key = _derive(ikm, "hotro/blind-index/v1")
    assert enc_key != index_key and len(enc_key) == len(index_key) == 32
    # the index is HMAC-SHA256 under the index subkey...
    expected = hmac.new(index_key, b"id_number\x1f001085012345", hashlib.sha256).hexdigest()
    assert protector.blind_index("id_number", "001085012345") == expected
    # ...and tokens are AES-GCM under the encryption subkey, nonce first, version bound as AAD
    body = protector.encrypt("abc").split(":")[1]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert AESGCM(enc_key).decrypt(raw[:12], raw[12:], b"v1|") == b"abc"


def test_short_key_material_is_refused() -> None:
    with pytest.raises(ValueError):
        DataProtector("secret")


def test_repr_hides_keys(protector: DataProtector) -> None:
    assert KEY not in repr(protector) and "hidden" in repr(protector)


def test_load_or_create_key_creates_private_file(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "data.key"
    key = load_or_create_key(path)
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) == 32
    assert load_or_create_key(path) == key  # the same key on the next start
    assert DataProtector(key).decrypt(DataProtector(key).encrypt("x")) == "x"
    assert [p.name for p in path.parent.iterdir()] == ["data.key"]  # no temp file left


def test_load_or_create_key_race_gives_one_key(tmp_path: Path) -> None:
    path = tmp_path / "data.key"
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(load_or_create_key(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1
    assert path.read_text().strip() == keys[0]


def test_empty_key_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "data.key"
    path.write_text("\n")
    with pytest.raises(ValueError):
        load_or_create_key(path)


def test_loose_permissions_are_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "data.key"
    key = load_or_create_key(path)
    path.chmod(0o644)
    with caplog.at_level("WARNING"):
        assert load_or_create_key(path) == key
    assert "chmod 600" in caplog.text
