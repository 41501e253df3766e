"""SMSC's error codes, status codes and the exception that carries an error answer.

Examples
--------
>>> err = parameter_error("maxsms")
>>> err.code, err.description
(1, 'parameters error: maxsms')
>>> ErrorAnswer(3, sms_id="17").description
'no money'
"""

from __future__ import annotations

ERROR_TEXT = {
    1: "parameters error",
    2: "authorise error",
    3: "no money",
    4: "ip is blocked",
    5: "wrong date format",
    6: "message is denied",
    7: "invalid phone",
    8: "cannot deliver",
    9: "duplicate request, wait a minute",
}
ERRORS_WITH_ID = frozenset({3, 6, 7, 8})
TOO_MANY_CONCURRENT = "too many concurrent requests"
DELETE_FAILED = "error deleting message"

STATUS_NAMES = {
    -3: "Message not found",
    -2: "Stopped",
    -1: "Waiting to be sent",
    0: "Transferred to operator",
    1: "Delivered",
    2: "Read",
    3: "Expired",
    4: "Link clicked",
    20: "Impossible to deliver",
    22: "Wrong number",
    23: "Prohibited",
    24: "Insufficient funds",
    25: "Unavailable number",
}


class ErrorAnswer(Exception):
    """An SMSC error answer: ``code`` 1-9, its ``description`` and, for 3/6/7/8, the ``sms_id``."""

    def __init__(self, code: int, description: str | None = None, sms_id: str | None = None):
        self.code = code
        self.description = ERROR_TEXT[code] if description is None else description
        self.sms_id = sms_id if code in ERRORS_WITH_ID else None
        super().__init__(f"{code}: {self.description}")


def parameter_error(name: str) -> ErrorAnswer:
    """Error 1 naming the offending parameter, in the one form the sandbox uses."""
    return ErrorAnswer(1, f"{ERROR_TEXT[1]}: {name}")
