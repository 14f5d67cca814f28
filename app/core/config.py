"""One Settings object for the whole service (environment prefix MYLIFE_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MYLIFE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'mylife.sqlite3'}"
    secret_key: str = Field(default=DEV_SECRET, min_length=32)
    session_max_age_seconds: int = 8 * 3600
    session_idle_seconds: int = 2 * 3600
    local_accounts_enabled: bool = True
    default_locale: Literal["fi", "sv", "en"] = "fi"
    log_sql: bool = False

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if settings.environment == "production" and settings.secret_key == DEV_SECRET:
        raise RuntimeError("MYLIFE_SECRET_KEY must be set in production")
    return settings
