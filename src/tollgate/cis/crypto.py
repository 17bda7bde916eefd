"""Personal data of the CIS and FIDE encrypted at rest, with key rotation (CIS-50).

Personal fields are stored as one Fernet token per record: a stolen database file or
backup yields no names. Keys rotate by putting a new key first; ``Vault.rotate`` re-encrypts
a token under it, and the old key stays readable until every token has been rotated.

Exact-key lookups (a FIDE query by date of birth or VAT number, CIS-34) cannot read
ciphertext, so each searchable value also gets a *blind index*: an HMAC under a separate
key, equal for equal normalised values and useless without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from tollgate.config import Settings
from tollgate.errors import TollgateError


class CisKeysUnusable(TollgateError):
    status = 500
    code = "cis_keys_unusable"


@dataclass(frozen=True)
class Vault:
    """Encrypts and decrypts personal fields; computes blind indexes."""

    keys: tuple[bytes, ...]
    index_key: bytes

    def __post_init__(self) -> None:
        if not self.keys:
            raise CisKeysUnusable("no CIS encryption key configured (CIS-50)")

    @property
    def _fernet(self) -> MultiFernet:
        return _multi(self.keys)

    def seal(self, fields: dict[str, Any]) -> str:
        """The fields as one token under the newest key."""
        return self._fernet.encrypt(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = orjson.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise CisKeysUnusable(
                "a CIS record cannot be decrypted with the configured keys: a key was "
                "removed before every record was rotated (CIS-50)"
            ) from exc
        return data

    def rotate(self, token: str) -> str:
        """The same content under the newest key (unchanged if it already is)."""
        return self._fernet.rotate(token.encode()).decode()

    def blind(self, kind: str, value: str) -> str:
        """The blind index of an already normalised value; ``kind`` separates namespaces
        so that a VAT number never equals a date of birth."""
        mac = hmac.new(self.index_key, f"{kind}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]


@lru_cache(maxsize=8)
def _multi(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def new_key_material() -> str:
    """A fresh key file's content: one encryption key and one blind-index key."""
    return f"{Fernet.generate_key().decode()},index:{Fernet.generate_key().decode()}"


def parse_keys(text: str) -> Vault:
    keys: list[bytes] = []
    index: bytes | None = None
    for part in (p.strip() for p in text.replace("\n", ",").split(",")):
        if not part:
            continue
        if part.startswith("index:"):
            index = part[len("index:") :].encode()
            continue
        try:
            Fernet(part.encode())
        except ValueError as exc:
            raise CisKeysUnusable(f"a CIS key is not a valid Fernet key: {exc}") from exc
        keys.append(part.encode())
    if index is None:
        raise CisKeysUnusable("the CIS keys name no 'index:' key for blind indexes (CIS-50)")
    return Vault(tuple(keys), index)


def vault_for(settings: Settings) -> Vault:
    """The vault the settings configure: ``TOLLGATE_CIS_KEYS``, else the key file, which is
    created (readable by its owner only) on first use so the embedded mode needs nothing."""
    if settings.cis_keys:
        return parse_keys(settings.cis_keys)
    return _from_file(settings.cis_key_file.resolve())


def _from_file(path: Path) -> Vault:
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(new_key_material() + "\n")
    return parse_keys(path.read_text())


def with_new_key(vault: Vault) -> tuple[Vault, str]:
    """A vault whose newest key is fresh (the older ones still read), and its key text."""
    key = Fernet.generate_key()
    rotated = Vault((key, *vault.keys), vault.index_key)
    return rotated, key_text(rotated.keys, rotated.index_key)


def key_text(keys: Sequence[bytes], index_key: bytes) -> str:
    return ",".join([k.decode() for k in keys] + [f"index:{index_key.decode()}"])
