"""Where a live source's secrets come from: an environment variable or the OS keyring.

A source stores only *where* to look (``$VAR`` or ``keyring SERVICE:USER``), read again at each
sync; the secret itself is handed to the HTTP client's headers and nowhere else. Failures name
the source and the place to check, never a value.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from productpath.errors import InputError

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
_KEYRING_REF = re.compile(r"^([^:\s][^:]{0,199}):([^:\s][^:]{0,199})$")


@dataclass(frozen=True)
class SecretRef:
    """Where one secret lives: an environment variable's name, or a keyring service and user."""

    env: str | None = None
    keyring: str | None = None  # "SERVICE:USER"

    def describe(self) -> str:
        if self.env is not None:
            return f"${self.env}"
        if self.keyring is not None:
            return f"the keyring entry {self.keyring}"
        return "no credential"


def check_env_name(value: str, option: str) -> str:
    if not _ENV_NAME.match(value):
        raise InputError(
            f"'{value}' is not an environment variable name (give its name, not the secret)",
            field=option,
        )
    return value


def check_keyring_ref(value: str) -> str:
    if not _KEYRING_REF.match(value):
        raise InputError(
            f"'{value}' is not a keyring entry written SERVICE:USER", field="token-keyring"
        )
    return value


def read_secret(source: str, ref: SecretRef, what: str) -> str | None:
    """The secret ``ref`` points at (None when the source names none); ``what`` says what it
    is for the error line ("the Jira API token")."""
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if not value:
            raise InputError(
                f"source '{source}': the environment variable {ref.env} is not set; "
                f"put {what} in it"
            )
        return value
    if ref.keyring is not None:
        service, _, user = ref.keyring.partition(":")
        try:
            import keyring
            from keyring.errors import KeyringError
        except ImportError:  # pragma: no cover - a dependency, absent only in a broken install
            raise InputError(
                f"source '{source}': the keyring package is not installed; "
                "install it or use --token-env"
            ) from None
        try:
            value = keyring.get_password(service, user)
        except KeyringError as exc:
            raise InputError(
                f"source '{source}': the OS keyring could not be read ({type(exc).__name__}); "
                f"check that a keyring is available, or use --token-env"
            ) from None
        if not value:
            raise InputError(
                f"source '{source}': the keyring has no entry {ref.keyring}; store {what} "
                f"with 'keyring set {service} {user}'"
            )
        return value
    return None
