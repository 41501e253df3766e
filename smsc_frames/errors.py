"""The exception tree of smsc_frames.

Two families, as in openai-python's ``_exceptions.py``:

* :class:`ValidationError` -- refused locally, before any request was made.
* :class:`SmscError` -- something happened while talking to SMSC:

  * :class:`SmscConnectionError` -- the transport failed; ``maybe_sent`` says whether the
    request may have reached the server (then the outcome is *unknown*, never "failed").
  * :class:`SmscApiError` -- SMSC answered with ``error_code`` N; one subclass per code.

Examples
--------
>>> err = api_error(3, "no money", sms_id=17)
>>> isinstance(err, InsufficientFundsError), err.code, err.sms_id
(True, 3, 17)
"""

from __future__ import annotations


class SmscFramesError(Exception):
    """Base class of every exception raised by smsc_frames."""


class ValidationError(SmscFramesError, ValueError):
    """A value was refused locally, before any request was made.

    Parameters
    ----------
    parameter : str
        The name of the offending parameter or column (``"sender"``, ``"time"``...).
    rule : str
        The rule that was broken, in words a user can act on.
    value : object, optional
        The offending value (never a credential).

    Examples
    --------
    >>> print(ValidationError("maxsms", "must be an integer from 1 to 20", 0))
    maxsms: must be an integer from 1 to 20 (got 0)
    """

    def __init__(self, parameter: str, rule: str, value: object = ...) -> None:
        self.parameter = parameter
        self.rule = rule
        self.value = value
        shown = "" if value is ... else f" (got {value!r})"
        super().__init__(f"{parameter}: {rule}{shown}")


class SmscError(SmscFramesError):
    """Base class of everything that went wrong while talking to SMSC."""


class SmscConnectionError(SmscError):
    """The transport failed (connection, timeout, HTTP status, malformed answer).

    Parameters
    ----------
    message : str
        What happened.
    maybe_sent : bool
        ``False`` when the request provably never left (connection refused, DNS failure):
        it is safe to retry. ``True`` when it may have reached the server (read timeout,
        dropped connection, HTTP 5xx, malformed answer): the outcome is unknown and must be
        reconciled through ``status.php``, never blindly re-sent.
    """

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        self.maybe_sent = maybe_sent
        super().__init__(message)


class SmscTimeoutError(SmscConnectionError):
    """The server did not answer in time."""


class SmscApiError(SmscError):
    """SMSC answered with an error code.

    Parameters
    ----------
    code : int
        SMSC's ``error_code`` (1-9).
    message : str
        SMSC's description.
    sms_id : int or str, optional
        The message id SMSC returns with errors 3, 6, 7 and 8.
    """

    code: int = 0

    def __init__(self, code: int, message: str, sms_id: int | str | None = None) -> None:
        self.code = code
        self.message = message
        self.sms_id = sms_id
        suffix = "" if sms_id is None else f", id {sms_id}"
        super().__init__(f"SMSC error {code}: {message}{suffix}")


class ParameterError(SmscApiError):
    """Error 1: a parameter was wrong."""

    code = 1


class AuthError(SmscApiError):
    """Error 2: wrong login/password/API key, or the IP is not in the allowed list."""

    code = 2


class InsufficientFundsError(SmscApiError):
    """Error 3: not enough money on the account."""

    code = 3


class IpBlockedError(SmscApiError):
    """Error 4: the IP is temporarily blocked after frequent errors (SMSC blocks for 10-30 min)."""

    code = 4


class DateFormatError(SmscApiError):
    """Error 5: wrong ``time`` format."""

    code = 5


class MessageDeniedError(SmscApiError):
    """Error 6: the message is forbidden (text, sender, or mass mailing without a contract)."""

    code = 6


class PhoneFormatError(SmscApiError):
    """Error 7: no valid phone number in the request."""

    code = 7


class UndeliverableError(SmscApiError):
    """Error 8: the message cannot be delivered to the number(s)."""

    code = 8


class DuplicateRequestError(SmscApiError):
    """Error 9: a duplicate request within a minute, or too many concurrent requests.

    ``too_many_concurrent`` tells the two apart from SMSC's description.
    """

    code = 9

    @property
    def too_many_concurrent(self) -> bool:
        """True when SMSC reported too many concurrent requests rather than a duplicate."""
        return "concurrent" in self.message.lower()


API_ERRORS: dict[int, type[SmscApiError]] = {
    cls.code: cls
    for cls in (
        ParameterError,
        AuthError,
        InsufficientFundsError,
        IpBlockedError,
        DateFormatError,
        MessageDeniedError,
        PhoneFormatError,
        UndeliverableError,
        DuplicateRequestError,
    )
}


#: The errors with which SMSC refuses one request for what it holds (its texts, senders or
#: numbers), not the account or the connection: the rest of a campaign can go on.
REQUEST_REFUSALS = (MessageDeniedError, PhoneFormatError, UndeliverableError)

_REFUSAL_HINTS = {
    6: (
        "SMSC refused the whole request, every row in it: for a text, for a sender name the"
        " account has not registered, or for mass mailing without a contract"
    ),
}


def refusal_reason(code: int, message: str) -> str:
    """Why SMSC refused a whole request, as its rows' reason: the code, SMSC's text and, where
    that text is terse, what it can mean.

    Examples
    --------
    >>> refusal_reason(8, "cannot deliver")
    'SMSC error 8: cannot deliver'
    >>> refusal_reason(6, "message is denied")[:60]
    'SMSC error 6: message is denied (SMSC refused the whole requ'
    """
    hint = _REFUSAL_HINTS.get(code)
    return f"SMSC error {code}: {message}" + (f" ({hint})" if hint else "")


def api_error(code: int, message: str, sms_id: int | str | None = None) -> SmscApiError:
    """Build the exception for SMSC ``error_code`` *code*.

    Examples
    --------
    >>> type(api_error(9, "duplicate request, wait a minute")).__name__
    'DuplicateRequestError'
    """
    return API_ERRORS.get(code, SmscApiError)(code, message, sms_id)
