"""The platform's API as the officer's commands see it: JSON over HTTP, and its errors as one line.

The officer's machine is not the platform's: everything these commands need from the platform
(chain id, contract addresses, the officer's unit, the chain's clock, confirmations, proofs)
comes through here, never from a node, a database or a deployment file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from chain.errors import LedgerError
from ledger_cli._tokens import stored_token

ENV_API_URL = "LEDGER_API_URL"
DEFAULT_API_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 30.0  # an accept simulates the action on-chain: well under this on a healthy platform


class OfficerActionError(LedgerError):
    """Raised when an officer's action cannot be prepared, sent or confirmed; the message is one line."""


class ApiUnreachableError(OfficerActionError):
    """Raised when nothing answers at the API's URL (or it answers with something other than HTTP)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the API at {url}: {reason}; check --api or LEDGER_API_URL")
        self.url = url


class ApiRefusedError(OfficerActionError):
    """Raised when the API answers 4xx/5xx; carries its error body's code, message and field."""

    def __init__(self, status: int, code: str, message: str, field: str | None) -> None:
        super().__init__(refusal_line(status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def of_only_item(self) -> "ApiRefusedError":
        """The refusal of a one-action batch as the refusal of that action: without `actions[0].`."""
        prefix = "actions[0]."
        strip = lambda text: text[len(prefix) :] if text and text.startswith(prefix) else text  # noqa: E731
        return ApiRefusedError(self.status, self.code, strip(self.message), strip(self.field))


# The API's refusals of a missing or dead token: the officer logs in again.
LOGIN_AGAIN = frozenset({"not_authenticated", "token_expired", "token_invalid", "key_revoked"})


def refusal_line(status: int, code: str, message: str) -> str:
    """What the officer reads for an API refusal: the API's own message, first line only.

    A `signature_mismatch` (403, or an on-chain rejection) is said plainly: the signature does not
    match the document. A refused token says how to get a new one.
    """
    message = message.splitlines()[0] if message else f"the API answered {status} ({code})"
    if code == "signature_mismatch":
        return f"the signature does not match the document: {message}"
    if status == 401 and code in LOGIN_AGAIN and message.startswith("Authorization:"):
        return f"{message} (log in: `ledger login --api URL --key K`)"
    return message


class Api:
    """A small JSON client of the platform's API at `url`.

    It sends `bearer` if given (the platform credential, on a platform service's machine), else the
    officer's token for this API (`ledger login` stored it under the keystore directory,
    ledger_cli/_tokens.py) when there is an unexpired one; `token=False` sends none.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = TIMEOUT_S,
        keystore_dir: Path | None = None,
        token: bool = True,
        bearer: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        stored = bearer or (stored_token(self.url, keystore_dir) if token else None)
        headers = {"Authorization": f"Bearer {stored}"} if stored else None
        self._client = httpx.Client(base_url=self.url, timeout=timeout, headers=headers)

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()

    def get(self, path: str, **params: Any) -> Any:
        return self._request("GET", path, params=params or None)

    def get_raw(self, path: str, **params: Any) -> httpx.Response:
        """A successful GET's response as it came (a file, not JSON); refusals as `get` raises them."""
        try:
            answer = self._client.get(path, params=params or None)
        except httpx.TransportError as exc:
            raise ApiUnreachableError(self.url, str(exc) or type(exc).__name__) from None
        if answer.is_success:
            return answer
        return self._request("GET", path, params=params or None)  # raises the API's refusal

    def post(self, path: str, body: dict) -> Any:
        return self._request("POST", path, json=body)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            answer = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:  # refused, reset, timed out, not HTTP
            raise ApiUnreachableError(self.url, str(exc) or type(exc).__name__) from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.is_success and body is not None:
            return body
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):  # not this API's error body: a proxy, or another server
            raise ApiRefusedError(
                answer.status_code,
                "http_error",
                f"the API answered {answer.status_code} {answer.reason_phrase} to {method} {path}",
                None,
            )
        raise ApiRefusedError(
            answer.status_code, str(error.get("code")), str(error.get("message") or ""), error.get("field")
        )
