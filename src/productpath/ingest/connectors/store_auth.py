"""Tokens the store APIs want, made from the keys their consoles hand out.

**App Store Connect**: a JSON Web Token signed ES256 with the team's API key (the ``.p8`` file's
PEM text), header ``kid`` = the key id, claims ``iss`` = the issuer id, ``aud`` =
``appstoreconnect-v1`` and an expiry at most 20 minutes ahead.

**Google Play**: a service account's JSON key (``client_email``, ``private_key``,
``token_uri``) is exchanged for an OAuth 2.0 access token: a JWT signed RS256 asking for the
``androidpublisher`` scope, posted to ``token_uri`` as a ``jwt-bearer`` grant.

The key material is read for the sync (from the variable or keyring entry the source names) and
lives only in memory; errors say what is wrong with it, never what it holds.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx

from productpath.errors import InputError
from productpath.ingest.connectors.http import ConnectorError

APP_STORE_AUDIENCE = "appstoreconnect-v1"
APP_STORE_LIFETIME = 20 * 60  # the longest App Store Connect accepts
PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"


def app_store_jwt(
    private_key_pem: str, key_id: str, issuer_id: str, *, now: float | None = None
) -> str:
    """A token for the App Store Connect API, valid for 20 minutes from ``now``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = _private_key(private_key_pem, "an App Store Connect API key (.p8)")
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InputError("the App Store Connect key is not an EC (ES256) private key")
    issued = int(time.time() if now is None else now)
    header = {"alg": "ES256", "kid": key_id, "typ": "JWT"}
    claims = {
        "iss": issuer_id,
        "iat": issued,
        "exp": issued + APP_STORE_LIFETIME,
        "aud": APP_STORE_AUDIENCE,
    }
    signing_input = f"{_b64(json.dumps(header))}.{_b64(json.dumps(claims))}"
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{_b64(raw)}"


def google_access_token(
    service_account_json: str,
    *,
    timeout: float = 30.0,
    now: float | None = None,
    token_uri: str | None = None,
) -> str:
    """Exchange a service account's key for an access token to the Play Developer API."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        account = json.loads(service_account_json)
    except ValueError:
        raise InputError("the Google service account key is not JSON") from None
    if not isinstance(account, dict) or not all(
        isinstance(account.get(name), str) for name in ("client_email", "private_key")
    ):
        raise InputError("the Google service account key has no client_email or private_key")
    key = _private_key(account["private_key"], "a service account's private key")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InputError("the Google service account key is not an RSA private key")
    uri = token_uri or account.get("token_uri") or "https://oauth2.googleapis.com/token"
    issued = int(time.time() if now is None else now)
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {
        "iss": account["client_email"],
        "scope": PLAY_SCOPE,
        "aud": uri,
        "iat": issued,
        "exp": issued + 3600,
    }
    signing_input = f"{_b64(json.dumps(header))}.{_b64(json.dumps(claims))}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    assertion = f"{signing_input}.{_b64(signature)}"
    grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    try:
        response = httpx.post(uri, data=grant, timeout=timeout)
    except httpx.TransportError as exc:
        raise ConnectorError(f"no answer from {uri} ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise ConnectorError(
            f"{uri} refused the service account ({response.status_code}); check the key and "
            "that the account has access to the app in the Play Console",
            status=401 if response.status_code in (400, 401, 403) else response.status_code,
        )
    token: Any = response.json().get("access_token")
    if not isinstance(token, str) or not token:
        raise ConnectorError(f"{uri} answered without an access_token")
    return token


def _private_key(pem: str, what: str) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise InputError(f"the secret is not {what} in PEM form") from None


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
