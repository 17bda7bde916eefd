"""One settings object, read from the environment (prefix ``TOLLGATE_``).

The defaults are the embedded mode: a SQLite file in the working directory and the
shared reference data beside the repository, so ``tollgate demo`` runs with nothing set.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_reference_dir() -> Path:
    return (_REPO_ROOT.parent / "shared" / "data").resolve()


class Settings(BaseSettings):
    """Typed configuration, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="TOLLGATE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///tollgate.db",
        description="DB URL; SQLite file by default, postgresql+psycopg://... in production.",
    )
    reference_dir: Path = Field(
        default_factory=_default_reference_dir,
        description="Folder holding hs-nomenclature/, cn-nomenclature/, un-locode/, ...",
    )
    max_request_bytes: int = Field(
        default=10 * 1024 * 1024, description="Largest request body the API accepts."
    )
    max_batch_records: int = Field(
        default=5_000, description="Most filings one batch submission may carry."
    )
    load_batch_size: int = Field(
        default=2_000, description="Records committed per transaction by a bulk load."
    )
    history_path: Path = Field(
        default=Path("tollgate-history.duckdb"),
        description="Embedded DuckDB file of fact rows for back-testing (a cache of the DB).",
    )
    cis_keys: str | None = Field(
        default=None,
        description=(
            "Keys that encrypt CIS and FIDE personal data at rest (CIS-50): comma-separated "
            "Fernet keys, newest first, then 'index:' and the blind-index key. Unset, the "
            "key file is used (and created on first use)."
        ),
    )
    cis_key_file: Path = Field(
        default=Path("tollgate-cis.keys"),
        description="File holding the CIS keys when TOLLGATE_CIS_KEYS is unset (mode 0600).",
    )
    environment: str = Field(default="development", description="development or production.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
