"""Transports: the only code of smsc_frames that touches the network.

A :class:`Transport` carries one call to SMSC (an endpoint and its parameters, credentials
added by the transport) and gives back the decoded answer, raising
:class:`~smsc_frames.errors.SmscApiError` for an ``error_code`` answer and
:class:`~smsc_frames.errors.SmscConnectionError` (with ``maybe_sent``) for a transport fault.
It decides nothing about campaigns and never retries a request that may have reached the
server; :class:`~smsc_frames.api.SmscApi` above it owns endpoint names, flags, pacing and
retries.

Today's transport is :class:`~smsc_frames.transport.form.FormTransport` (form POST to
``/sys/<endpoint>``).

Examples
--------
>>> credentials = Credentials.resolve(apikey="k-123", environ={})
>>> credentials, "k-123" in credentials.account
(Credentials(apikey), False)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from smsc_frames.errors import ValidationError


@runtime_checkable
class Transport(Protocol):
    """What :class:`~smsc_frames.api.SmscApi` needs to reach SMSC (or a compatible server).

    Attributes
    ----------
    url : str
        The server's base URL (no credentials in it).
    identity : str
        Who is calling where, never a secret: the URL and the login, or a sha256 of the API
        key. Caches (quotes, pacing) are keyed by it.
    is_sandbox : bool or None
        True once an answer said it came from the sandbox, None before any answer.
    """

    url: str

    @property
    def identity(self) -> str: ...

    @property
    def is_sandbox(self) -> bool | None: ...

    def call(self, endpoint: str, params: Mapping[str, object]) -> Any: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Credentials:
    """An account's credentials: a login and password, or an API key.

    The repr and :attr:`identity` never show a secret.
    """

    login: str | None = None
    password: str | None = field(default=None, repr=False)
    apikey: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return "Credentials(apikey)" if self.apikey else f"Credentials(login {self.login})"

    @property
    def account(self) -> str:
        """The non-secret name of the account: ``login:NAME`` or ``apikey-sha256:HEX``."""
        if self.apikey:
            return "apikey-sha256:" + hashlib.sha256(self.apikey.encode("utf-8")).hexdigest()
        return f"login:{self.login}"

    def form_fields(self) -> dict[str, str]:
        """The credential fields of a request body (``apikey``, or ``login`` and ``psw``)."""
        if self.apikey:
            return {"apikey": self.apikey}
        return {"login": self.login or "", "psw": self.password or ""}

    def secrets(self) -> tuple[str, ...]:
        """The secret values, to be scrubbed from anything shown."""
        return tuple(value for value in (self.password, self.apikey) if value)

    @classmethod
    def resolve(
        cls,
        login: str | None = None,
        password: str | None = None,
        apikey: str | None = None,
        *,
        environ: Mapping[str, str],
    ) -> Credentials:
        """Credentials from the arguments when any is given, else from ``SMSC_*`` variables.

        Never a mix of the two; an API key wins over a login and password.

        Raises
        ------
        ValidationError
            Missing or half-given credentials; the message names the arguments and variables.

        Examples
        --------
        >>> Credentials.resolve(environ={"SMSC_LOGIN": "alex", "SMSC_PASSWORD": "s3cret"})
        Credentials(login alex)
        """
        if any(value not in (None, "") for value in (login, password, apikey)):
            given = (login or None, password or None, apikey or None)
        else:
            given = (
                environ.get("SMSC_LOGIN") or None,
                environ.get("SMSC_PASSWORD") or None,
                environ.get("SMSC_APIKEY") or None,
            )
        login, password, apikey = given
        if apikey:
            return cls(apikey=apikey)
        if login and password:
            return cls(login=login, password=password)
        if login or password:
            raise ValidationError(
                "password" if login else "login",
                "login and password must be given together (arguments login=/password= or "
                "variables SMSC_LOGIN/SMSC_PASSWORD)",
            )
        raise ValidationError(
            "credentials",
            "give apikey=, or login= and password=, or set SMSC_APIKEY, or SMSC_LOGIN and "
            "SMSC_PASSWORD",
        )
