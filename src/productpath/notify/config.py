"""``[smtp]`` and ``[llm]`` from productpath.toml, with ``PRODUCTPATH_SMTP_*`` /
``PRODUCTPATH_LLM_*`` environment variables taking precedence.

Secrets never live in the file: ``password_env`` and ``api_key_env`` name the environment
variable that holds them, and the value is read only when it is needed to connect. Nothing
here prints a secret; the settings' ``repr`` leaves them out because they are not stored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from productpath.errors import WorkspaceError

SMTP_KEYS = ("host", "port", "username", "password_env", "from", "starttls", "ssl", "timeout")
LLM_KEYS = ("endpoint", "model", "api_key_env", "tone", "timeout")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password_env: str | None = None
    starttls: bool = True
    ssl: bool = False
    timeout: float = 20.0

    def password(self, env: Mapping[str, str]) -> str | None:
        """The password from the environment; a WorkspaceError when it is named but unset."""
        if self.username is None:
            return None
        direct = env.get("PRODUCTPATH_SMTP_PASSWORD")
        if direct:
            return direct
        if self.password_env is None:
            raise WorkspaceError(
                "SMTP: a username is set but no password; set smtp.password_env to the name "
                "of the environment variable that holds it"
            )
        value = env.get(self.password_env)
        if not value:
            raise WorkspaceError(
                f"SMTP: the environment variable {self.password_env} (smtp.password_env) is not set"
            )
        return value


@dataclass(frozen=True)
class LlmSettings:
    endpoint: str
    model: str
    api_key_env: str | None = None
    tone: str = "clear, friendly and concise"
    timeout: float = 60.0

    def api_key(self, env: Mapping[str, str]) -> str | None:
        if self.api_key_env is None:
            return None
        return env.get(self.api_key_env) or None


def read_config(path: Path) -> dict[str, Any]:
    """productpath.toml as a dict (empty when there is none)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read settings: {exc}") from exc


def smtp_settings(
    config: Mapping[str, Any], env: Mapping[str, str], source: str = "productpath.toml"
) -> SmtpSettings | None:
    """The SMTP settings, or None when no host is configured anywhere."""
    table = _table(config, "smtp", SMTP_KEYS, source)
    merged = _with_env(table, env, "PRODUCTPATH_SMTP_", SMTP_KEYS)
    host = _str(merged, "host", "smtp", source)
    if not host:
        return None
    sender = _str(merged, "from", "smtp", source)
    if not sender:
        raise WorkspaceError(f"{source}: smtp.from is not set (the address digests are sent from)")
    use_ssl = _bool(merged, "ssl", False, source)
    starttls = _bool(merged, "starttls", not use_ssl, source)
    default_port = 465 if use_ssl else (587 if starttls else 25)
    return SmtpSettings(
        host=host,
        port=int(_number(merged, "port", default_port, "smtp", source)),
        sender=sender,
        username=_str(merged, "username", "smtp", source) or None,
        password_env=_str(merged, "password_env", "smtp", source) or None,
        starttls=starttls and not use_ssl,
        ssl=use_ssl,
        timeout=_number(merged, "timeout", 20.0, "smtp", source),
    )


def llm_settings(
    config: Mapping[str, Any], env: Mapping[str, str], source: str = "productpath.toml"
) -> LlmSettings | None:
    """The LLM settings, or None when no endpoint is configured (the default: no polish)."""
    table = _table(config, "llm", LLM_KEYS, source)
    merged = _with_env(table, env, "PRODUCTPATH_LLM_", LLM_KEYS)
    endpoint = _str(merged, "endpoint", "llm", source)
    if not endpoint:
        return None
    if not endpoint.startswith(("http://", "https://")):
        raise WorkspaceError(f"{source}: llm.endpoint must be an http:// or https:// URL")
    model = _str(merged, "model", "llm", source)
    if not model:
        raise WorkspaceError(f"{source}: llm.model is not set (the model the endpoint serves)")
    return LlmSettings(
        endpoint=endpoint,
        model=model,
        api_key_env=_str(merged, "api_key_env", "llm", source) or None,
        tone=_str(merged, "tone", "llm", source) or LlmSettings.tone,
        timeout=_number(merged, "timeout", 60.0, "llm", source),
    )


def _table(
    config: Mapping[str, Any], name: str, keys: tuple[str, ...], source: str
) -> dict[str, Any]:
    table = config.get(name, {})
    if not isinstance(table, dict):
        raise WorkspaceError(f"{source}: '{name}' must be a table ([{name}])")
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise WorkspaceError(f"{source}: unknown key '{name}.{unknown[0]}'")
    return dict(table)


def _with_env(
    table: dict[str, Any], env: Mapping[str, str], prefix: str, keys: tuple[str, ...]
) -> dict[str, Any]:
    merged = dict(table)
    for key in keys:
        value = env.get(prefix + key.upper())
        if value is not None and value != "":
            merged[key] = value
    return merged


def _str(table: Mapping[str, Any], key: str, section: str, source: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise WorkspaceError(f"{source}: {section}.{key} must be a string, got {value!r}")
    return value.strip()


def _bool(table: Mapping[str, Any], key: str, default: bool, source: str) -> bool:
    value = table.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {
        "1",
        "true",
        "yes",
        "on",
        "0",
        "false",
        "no",
        "off",
    }:
        return value.lower() in {"1", "true", "yes", "on"}
    raise WorkspaceError(f"{source}: smtp.{key} must be true or false, got {value!r}")


def _number(table: Mapping[str, Any], key: str, default: float, section: str, source: str) -> float:
    value = table.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or number <= 0:
        raise WorkspaceError(f"{source}: {section}.{key} must be a positive number, got {value!r}")
    return number
