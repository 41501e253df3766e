"""smsc_frames: SMS campaigns through the SMSC.ru HTTP API, from pandas and Jupyter.

The flow, one function per arrow::

    read_contacts -> prepare -> payloads -> estimate -> send -> refresh_status

Examples
--------
>>> import pandas as pd
>>> import smsc_frames as sf
>>> plan = sf.prepare(pd.DataFrame({"phone": ["8 (916) 123-45-67"], "name": ["Anna"]}),
...                   phone="phone", template="Hello, {name}!")
>>> plan[["phone", "text", "parts"]].to_dict("records")
[{'phone': '79161234567', 'text': 'Hello, Anna!', 'parts': 1}]
"""

from smsc_frames.campaign import (
    Quote,
    RetryPolicy,
    SmscLimits,
    estimate,
    results_from_journal,
    send,
    summarize,
)
from smsc_frames.client import Client
from smsc_frames.contacts import read_contacts
from smsc_frames.delivery import balance, refresh_status
from smsc_frames.errors import (
    AuthError,
    DateFormatError,
    DuplicateRequestError,
    InsufficientFundsError,
    IpBlockedError,
    MessageDeniedError,
    ParameterError,
    PhoneFormatError,
    SmscApiError,
    SmscConnectionError,
    SmscError,
    SmscFramesError,
    SmscTimeoutError,
    UndeliverableError,
    ValidationError,
)
from smsc_frames.export import to_csv, to_excel
from smsc_frames.operators import operator_names
from smsc_frames.options import Options
from smsc_frames.payloads import Payload, payloads
from smsc_frames.phones import normalize_phones
from smsc_frames.plan import prepare
from smsc_frames.savings import apply_savings, preview_translit, suggest_savings
from smsc_frames.segments import count_segments

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "Client",
    "DateFormatError",
    "DuplicateRequestError",
    "InsufficientFundsError",
    "IpBlockedError",
    "MessageDeniedError",
    "Options",
    "ParameterError",
    "Payload",
    "PhoneFormatError",
    "Quote",
    "RetryPolicy",
    "SmscApiError",
    "SmscConnectionError",
    "SmscError",
    "SmscFramesError",
    "SmscLimits",
    "SmscTimeoutError",
    "UndeliverableError",
    "ValidationError",
    "apply_savings",
    "balance",
    "count_segments",
    "estimate",
    "normalize_phones",
    "operator_names",
    "payloads",
    "prepare",
    "preview",
    "preview_translit",
    "read_contacts",
    "refresh_status",
    "results_from_journal",
    "send",
    "suggest_savings",
    "summarize",
    "to_csv",
    "to_excel",
]


def __getattr__(name: str):
    # ipywidgets is imported only when the notebook panel is asked for, so scripts and the CLI
    # start without loading the widget machinery.
    if name == "preview":
        from smsc_frames.widgets import preview

        return preview
    raise AttributeError(f"module 'smsc_frames' has no attribute {name!r}")
