"""Which send options a plan goes out with: passed explicitly, or the plan's own, never a guess.

:func:`~smsc_frames.plan.prepare` keeps the validated :class:`~smsc_frames.options.Options` in
``plan.attrs["options"]`` (in wire form: plain strings, which ``to_parquet`` can store; an
:class:`~smsc_frames.options.Options` put there by hand is read too). pandas drops ``attrs`` on
``merge``, ``join`` and ``concat`` of frames whose attrs differ, and a plan sent without them
would silently lose ``time``, ``maxsms`` or ``valid``: a scheduled campaign would go out at once.
So every function that builds requests takes ``options=`` and, without it, insists on the plan's
own.

Examples
--------
>>> import pandas as pd
>>> from smsc_frames.options import Options
>>> plan_options(pd.DataFrame(), Options(maxsms=1)).maxsms
1
>>> plan_options(pd.DataFrame())  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
smsc_frames.errors.ValidationError: options: the plan carries no send options ...
"""

from __future__ import annotations

import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.options import Options

ATTRS_KEY = "options"


def plan_options(plan: pd.DataFrame, options: Options | None = None) -> Options:
    """*options* when given, else the plan's own (``plan.attrs["options"]``).

    Raises
    ------
    ValidationError
        *options* is not an :class:`Options`, or it is None and the plan has lost its attrs
        (the message names merge/join/concat, the usual cause, and the two ways out).
    """
    if options is not None:
        if not isinstance(options, Options):
            raise ValidationError(
                "options", "must be a smsc_frames.Options", type(options).__name__
            )
        return options
    found = plan.attrs.get(ATTRS_KEY)
    if isinstance(found, Options):
        return found
    if isinstance(found, dict):  # prepare keeps the wire form, which JSON (parquet) can hold
        return Options.from_kwargs(**found)
    raise ValidationError(
        "options",
        "the plan carries no send options (pandas drops DataFrame.attrs on merge, join and "
        "concat, and a plan sent without them would lose time=, maxsms=, valid=...): pass "
        "options=<the Options the plan was prepared with>, or merge onto the contacts before "
        "prepare()",
    )
