"""``prepare()``: contacts + a text column or a template -> the plan, one row per recipient.

The plan keeps the caller's index and flags every row it would not send (never drops one):
an invalid phone, an invalid sender, a template field that is missing, an empty text or one
over 1000 characters each give a ``problem``; an exact repeat of an earlier row's
``(phone, text, sender)`` gets ``duplicate_of`` = that row's label and is sent once.

Templates are ``str.format`` strings whose fields are plain column names (``{name}``,
``{price:.2f}``). Each field's distinct values are rendered once; the texts of the distinct
tuples of values are then made with one ``join`` each, and counted from the fields' measures
(:func:`smsc_frames.segments.measure_texts`), never read character by character
(:mod:`smsc_frames.templates`); duplicates are found by :mod:`smsc_frames.duplicates`, whose
:func:`mark_duplicates` is importable from here.
Decisions, so nothing surprises:

* a field whose value is missing (``None``, ``NaN``, ``pd.NA``) gives the row the problem
  ``template field 'x' is missing`` and no text; an empty string is a value and fills as "";
* a float that is a whole number (``5.0``, what pandas makes of an integer column with a blank)
  is written as an integer (``5``) unless the field asks for a float format (``{x:.1f}``);
* a value the field's format cannot take (``{name:.2f}`` on a word) is a row problem too.

Examples
--------
>>> import pandas as pd
>>> contacts = pd.DataFrame({"phone": ["8 916 123-45-67", "+7 903 765-43-21", "12"],
...                          "name": ["Anna", None, "Ivan"], "bonus": [5.0, 10.0, None]})
>>> plan = prepare(contacts, phone="phone", template="{name}, +{bonus} points!", maxsms=2)
>>> plan[["phone", "text", "parts", "sendable"]]
         phone              text  parts  sendable
0  79161234567  Anna, +5 points!      1      True
1  79037654321              None      1     False
2         None              None      1     False
>>> plan.loc[2, "problem"]
"phone: too short; template field 'bonus' is missing"
>>> plan.attrs["options"]
{'maxsms': '2'}
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from smsc_frames.duplicates import find_duplicates, mark_duplicates
from smsc_frames.errors import ValidationError
from smsc_frames.messagekinds import (
    check_kind_options,
    distinct_as_given,
    kind_counts,
    message_kind,
    textless,
)
from smsc_frames.objectcodes import factorize_objects, first_positions, is_none
from smsc_frames.options import Options, validate_sender
from smsc_frames.phones import normalize_phones, split_phone_cell
from smsc_frames.recipients import apply_recipients, validate_email_sender
from smsc_frames.segments import TextMeasure, count_measured, measure_texts, normalize_text
from smsc_frames.templates import (
    fill_template,
    find_column,
    is_text_column,
    join_problems,
    parse_template,
    render_distinct,
)

__all__ = ["COLUMNS", "DUPLICATE_RULES", "MAX_TEXT_CHARACTERS", "mark_duplicates", "prepare"]

DUPLICATE_RULES = ("phone", "phone+text", "keep")
"""What makes a row a duplicate in :func:`prepare` (``duplicates=``)."""

MAX_TEXT_CHARACTERS = 1000
"""SMSC's limit on ``mes``."""

_NONE = np.array([None], dtype=object)

COLUMNS = [
    "phone_input",
    "phone",
    "region",
    "text",
    "sender",
    "encoding",
    "units",
    "parts",
    "problem",
    "phone_note",
    "duplicate_of",
    "sendable",
]
"""The plan's columns; with ``split_phones=True`` a last one, ``source_row``."""

SPLIT_LABEL = "{label}#{number}"
"""The index label of a cell's second, third... number under ``split_phones=True``."""


def _text_pieces(df: pd.DataFrame, text: object, template: object) -> list:
    """The template's pieces (:func:`~smsc_frames.templates.parse_template`), or a text
    column as a template of one field; refuses both or neither."""
    if (text is None) == (template is None):
        raise ValidationError(
            "text", "give exactly one of text= (a column) or template= (hlr=1/ping=1 need none)"
        )
    if text is not None:
        return [("", find_column(df, text, "text"), "", None)]
    return parse_template(template, df)


def _senders(
    df: pd.DataFrame, sender: object, check: Callable[[object], str] = validate_sender
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's sender code, and per code the sender (``None`` = account default) and its
    problem; from a column, or one constant, each checked with *check*."""
    if isinstance(sender, str) and sender in df.columns:
        column = df[find_column(df, sender, "sender")]
        codes, values, _ = render_distinct(column, "", None, sender)
        problems = np.full(len(values), None, dtype=object)
        for position, value in enumerate(values):
            if value is not None:
                try:
                    check(value)
                except ValidationError as error:
                    problems[position] = f"sender: {error.rule}"
        return codes, values, problems
    constant = None if sender is None else check(sender)
    return (
        np.zeros(len(df), dtype=np.int64),
        np.array([constant], dtype=object),
        np.array([None], dtype=object),
    )


def _distinct_normalized(
    texts: np.ndarray, measure: TextMeasure, translit: int, *, distinct_values: bool
) -> tuple[np.ndarray, np.ndarray, TextMeasure]:
    """Each text's code (``-1`` for ``None``), the distinct texts normalised (CRLF/CR -> LF,
    NFC) and their measures.

    *distinct_values*: the texts other than ``None`` are known to differ (the distinct values
    of a text column), so they are not factorized again. Only the texts whose measure shows
    a character NFC may change are normalised (and measured again); when that makes two
    texts equal, they get one code.
    """
    if distinct_values:
        present = ~is_none(texts)
        if present.all():  # no copies: each text is its own code
            codes, distinct = np.arange(len(texts)), texts
        else:
            codes = np.where(present, np.cumsum(present) - 1, -1)
            distinct, measure = texts[present], measure[present]
    else:
        codes, distinct = factorize_objects(texts)
        measure = measure[first_positions(codes, len(distinct))]
    changing = np.flatnonzero(measure.nfc_marks > 0)
    if len(changing):
        normalized = normalize_text(pd.Series(distinct[changing], dtype=object)).to_numpy()
        measure = measure.replaced(changing, measure_texts(normalized, translit))
        distinct = distinct.copy()
        distinct[changing] = normalized
        merged_codes, merged = factorize_objects(distinct)
        if len(merged) < len(distinct):  # normalising merged some texts
            codes = np.where(codes < 0, -1, merged_codes[codes])
            distinct = merged
            measure = measure[first_positions(merged_codes, len(merged))]
    return codes, distinct, measure


@dataclasses.dataclass
class _PlanTexts:
    """Everything :func:`prepare` says about the texts, before it looks at the phones."""

    tuple_codes: np.ndarray  # per row: its tuple of field values
    text_codes: np.ndarray  # per row: its distinct normalised text (the last: no text)
    row_texts: np.ndarray  # per row: the text shown, None when there is none
    counts: pd.DataFrame  # per distinct text: encoding, units, parts
    tuple_problems: np.ndarray  # per tuple: a broken field
    text_problems: np.ndarray  # per tuple: an empty or too long text (when no field broke)


def _plan_texts(
    df: pd.DataFrame, pieces: list, options: Options, *, from_column: bool
) -> _PlanTexts:
    """Fill the template (or take the text column), normalise, count and check the texts."""
    translit = options.translit or 0
    tuple_codes, tuple_texts, tuple_problems, tuple_measure = fill_template(
        df, pieces, len(df), translit
    )
    if from_column:  # a missing text is an empty one, said plainly
        tuple_problems[:] = None
    if options.bin:  # a binary message's bytes are sent and counted as given
        distinct_codes, distinct, measure = distinct_as_given(tuple_texts, tuple_measure)
    else:
        # a string column's distinct values are their own texts: no two alike
        string_column = from_column and is_text_column(df[pieces[0][1]].dtype)
        distinct_codes, distinct, measure = _distinct_normalized(
            tuple_texts, tuple_measure, translit, distinct_values=string_column
        )
    distinct = np.append(distinct, "")  # last: no text
    measure = measure.appended(measure_texts([""]))
    distinct_codes[distinct_codes < 0] = len(distinct) - 1
    text_codes = distinct_codes[tuple_codes]
    counts = count_measured(measure, distinct, maxsms=options.maxsms, translit=translit)
    counts, kind_problems = kind_counts(counts, distinct, options)

    length = measure.length
    text_problems = np.full(len(distinct), None, dtype=object)
    text_problems[(length == 0) | (measure.spaces == length)] = "empty text"
    too_long = length > MAX_TEXT_CHARACTERS
    text_problems[too_long] = [
        f"text over {MAX_TEXT_CHARACTERS} characters ({n})" for n in length[too_long]
    ]
    text_problems = np.where(is_none(text_problems), kind_problems, text_problems)
    row_texts = distinct[text_codes]
    row_texts[text_codes == len(distinct) - 1] = None  # the last slot: no text
    return _PlanTexts(
        tuple_codes=tuple_codes,
        text_codes=text_codes,
        row_texts=row_texts,
        counts=counts,
        tuple_problems=tuple_problems,
        text_problems=np.where(is_none(tuple_problems), text_problems[distinct_codes], _NONE),
    )


def _no_texts(rows: int, kind: str, text: object, template: object) -> _PlanTexts:
    """The texts of a kind that sends none (``hlr=1``, ``ping=1``): every row's is empty,
    counted as one request per number; a text given anyway is ignored with a warning."""
    if text is not None or template is not None:
        warnings.warn(
            f"{kind}=1 sends no text (the page: mes is not used), so the "
            f"{'text column' if text is not None else 'template'} is ignored",
            stacklevel=3,
        )
    counts = pd.DataFrame(
        {"encoding": [kind], "units": [0], "parts": [1], "truncated": [False]}
    ).astype({"encoding": object})
    zeros = np.zeros(rows, dtype=np.int64)
    return _PlanTexts(
        tuple_codes=zeros,
        text_codes=zeros,
        row_texts=np.full(rows, "", dtype=object),
        counts=counts,
        tuple_problems=_NONE,
        text_problems=_NONE,
    )


def _campaign_options(
    options: Options | None, sender: str | None, option_kwargs: dict
) -> tuple[Options, str | None]:
    if options is not None and not isinstance(options, Options):
        raise ValidationError("options", "must be an Options instance", type(options).__name__)
    given = options.set_values() if options else {}
    for name, value in Options.from_kwargs(**option_kwargs).set_values().items():
        if name in given and given[name] != value:
            raise ValidationError(
                name, f"is given twice, as {name}= and in the options, with different values",
                value,
            )  # fmt: skip
    merged = {**given, **option_kwargs}
    options = Options.from_kwargs(**merged)
    if options.sender is not None:
        if sender is not None and sender != options.sender:
            raise ValidationError(
                "sender", "is given twice, as sender= and in the options", options.sender
            )
        sender = options.sender
    return Options.from_kwargs(**{k: v for k, v in merged.items() if k != "sender"}), sender


def prepare(
    df: pd.DataFrame,
    *,
    phone: str,
    text: str | None = None,
    template: str | None = None,
    sender: str | None = None,
    options: Options | None = None,
    default_region: str = "RU",
    duplicates: str = "phone",
    split_phones: bool = False,
    **option_kwargs: object,
) -> pd.DataFrame:
    """Turn contacts into the plan: one row per contact, on the caller's index.

    Parameters
    ----------
    df : pandas.DataFrame
        The contacts.
    phone : str
        Column with the phone numbers (any common format; see
        :func:`smsc_frames.phones.normalize_phones`).
    text, template : str
        Exactly one: ``text`` names a column holding each message, ``template`` is a
        ``str.format`` string filled per row from the columns it names. Neither with
        ``hlr=1``/``ping=1`` (the page: mes is not used; one given is ignored with a warning).
        How each kind is counted (``call=1``: ``units`` are estimated seconds, ``parts``
        billed minutes; ``bin``: bytes; ``tinyurl``: short links) and which recipients it
        takes (``G<n>``, e-mail with ``mail=1``, Telegram ``@nick``/``#ID`` with ``tg=1``):
        ``docs/message-kinds.md``.
    sender : str, optional
        A column name when ``df`` has such a column (missing = the account's default sender),
        else one sender for every row, checked with
        :func:`smsc_frames.options.validate_sender`.
    options : Options, optional
        Campaign parameters; ``option_kwargs`` (``maxsms=2``, ``translit=1``...) are merged
        with them and validated (one given both ways with different values is refused).
    default_region : str
        Region for numbers written without a country code.
    duplicates : {"phone", "phone+text", "keep"}, default "phone"
        Which rows are sent once: ``"phone"`` one SMS per number (the first row wins, even if
        a later row for the same number, written ``8916...`` or ``+7 916...``, has another
        text); ``"phone+text"`` one per number, text and sender (a customer may get two
        different messages); ``"keep"`` every row. A row left out names the row that is sent
        (``duplicate_of``).
    split_phones : bool, default False
        A cell holding several numbers (``89161234567, 89161234568``) is by default one row
        with the problem ``2 numbers in one cell: 79161234567, 79161234568``, never cut to its
        first number. With ``True`` each number gets a row: the first keeps the contact's
        label, the others are labelled ``"<label>#2"``, ``"<label>#3"``... and the column
        ``source_row`` names the contact's label on every row, so
        ``plan.join(contacts, on="source_row")`` puts each number beside its contact.

    Returns
    -------
    pandas.DataFrame
        Columns ``phone_input``, ``phone``, ``region``, ``text``, ``sender``, ``encoding``,
        ``units``, ``parts``, ``problem``, ``phone_note`` (what was left out of a valid
        number: ``extension 12 dropped``), ``duplicate_of``, ``sendable`` (and ``source_row``
        with ``split_phones=True``);
        ``attrs["options"]`` holds the validated options in wire form (``Options.to_params()``,
        without ``sender``, which is per row; read them back with
        :func:`smsc_frames.planoptions.plan_options`), ``attrs["duplicates"]`` the rule.

    Raises
    ------
    ValidationError
        Before anything runs: a column that does not exist (the message lists the available
        ones), both or neither of ``text``/``template``, a bad template, a bad constant
        sender or option, a non-unique index (results could not be joined back onto the
        right contacts: ``reset_index`` first).

    Examples
    --------
    >>> contacts = pd.DataFrame({"tel": ["89161234567", "89161234567"], "msg": ["Hi", "Hi"]},
    ...                         index=["a", "b"])
    >>> prepare(contacts, phone="tel", text="msg", sender="Shop")[
    ...     ["phone", "sender", "duplicate_of", "sendable"]]
             phone sender duplicate_of  sendable
    a  79161234567   Shop         None      True
    b  79161234567   Shop            a     False
    """
    if not isinstance(df, pd.DataFrame):
        raise ValidationError("df", "must be a pandas DataFrame", type(df).__name__)
    _check_unique_index(df.index)
    if duplicates not in DUPLICATE_RULES:
        raise ValidationError("duplicates", f"must be one of {', '.join(DUPLICATE_RULES)}",
                              duplicates)  # fmt: skip
    options, sender = _campaign_options(options, sender, option_kwargs)
    check_kind_options(options, sender)
    phone_column = find_column(df, phone, "phone")
    source_rows = None
    if split_phones:
        df, source_rows = _split_phone_rows(df, phone_column, default_region)
        _check_unique_index(df.index)
    sender_codes, senders, sender_problems = _senders(
        df, sender, validate_email_sender if options.mail == 1 else validate_sender
    )
    phones = normalize_phones(df[phone_column], default_region=default_region, keys=True)
    phones = apply_recipients(phones, df[phone_column], options)
    if textless(options):
        texts_found = _no_texts(len(df), message_kind(options), text, template)
    else:
        pieces = _text_pieces(df, text, template)
        texts_found = _plan_texts(df, pieces, options, from_column=text is not None)
    tuple_codes, text_codes = texts_found.tuple_codes, texts_found.text_codes

    bad_phone = ~phones["phone_ok"].to_numpy(dtype=bool)
    phone_problems = np.full(len(df), None, dtype=object)
    phone_problems[bad_phone] = (
        "phone: " + phones["problem"][bad_phone].fillna("invalid").astype(str)
    ).to_numpy(dtype=object)
    spread = []
    for problems, codes in (
        (sender_problems, sender_codes),
        (texts_found.tuple_problems, tuple_codes),
        (texts_found.text_problems, tuple_codes),
    ):
        present = ~is_none(problems)
        if present.any():  # spread to the rows only when there is one
            spread.append((problems[codes], present[codes]))
    problem, has_problem = join_problems([(phone_problems, bad_phone), *spread], len(df))
    if duplicates == "keep":
        duplicate_of, is_duplicate = np.full(len(df), None, dtype=object), np.zeros(len(df), bool)
    else:
        by_text = duplicates == "phone+text"
        ignored = np.zeros(len(df), dtype=np.int64)
        duplicate_of, is_duplicate = find_duplicates(
            df.index,
            phones["phone_key"].to_numpy(),
            text_codes if by_text else ignored,
            sender_codes if by_text else ignored,
            ~has_problem,
        )

    index = df.index

    def column(values: np.ndarray) -> pd.Series:  # a fresh array, owned as it is: no copy
        return pd.Series(values, index=index, dtype=values.dtype, copy=False)

    counts = texts_found.counts
    plan = pd.concat(
        {  # one block per column: no copy into consolidated blocks
            "phone_input": phones["phone_input"].astype(object),
            "phone": phones["phone"].astype(object),
            "region": phones["region"].astype(object),
            "text": column(texts_found.row_texts),
            "sender": column(senders[sender_codes]),
            "encoding": counts["encoding"].take(text_codes).set_axis(index),  # no re-check
            "units": column(counts["units"].to_numpy()[text_codes]),
            "parts": column(counts["parts"].to_numpy()[text_codes]),
            "problem": column(problem),
            "phone_note": phones["note"].astype(object),
            "duplicate_of": column(duplicate_of),
            "sendable": column(~has_problem & ~is_duplicate),
        },
        axis=1,
    )
    if source_rows is not None:
        plan["source_row"] = column(source_rows)
    plan.attrs["options"] = options.to_params()  # plain strings: they survive parquet too
    plan.attrs["duplicates"] = duplicates
    return plan


def _split_phone_rows(
    df: pd.DataFrame, column: object, region: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """*df* with a row per number of the cells that hold several, and each row's source label.

    Only cells with 14 digits or more are looked at (two numbers have at least that many).
    """
    labels = df.index.to_numpy(dtype=object)
    values = df[column]
    texts = (
        values.where(values.map(lambda value: isinstance(value, str)))
        if values.dtype == object
        else values
    )
    many = texts.astype("string").str.count(r"\d").fillna(0).to_numpy() >= 14
    pieces: dict[int, list[str]] = {}
    for position in np.flatnonzero(many).tolist():
        found = split_phone_cell(str(values.iat[position]))
        if len(found) > 1:
            pieces[position] = found
    if not pieces:
        return df, labels.copy()
    repeats = np.ones(len(df), dtype=np.int64)
    for position, found in pieces.items():
        repeats[position] = len(found)
    rows = np.repeat(np.arange(len(df)), repeats)
    expanded = df.iloc[rows].copy()
    new_labels = labels[rows].copy()
    phones = expanded[column].astype(object).to_numpy().copy()
    starts = np.cumsum(repeats) - repeats
    for position, found in pieces.items():
        start = starts[position]
        phones[start : start + len(found)] = found
        for number in range(2, len(found) + 1):
            new_labels[start + number - 1] = SPLIT_LABEL.format(
                label=labels[position], number=number
            )
    expanded[column] = phones
    expanded.index = pd.Index(new_labels, tupleize_cols=False)
    return expanded, labels[rows]


def _check_unique_index(index: pd.Index) -> None:
    """Refuse an index whose labels repeat: results are joined back onto contacts by label."""
    if index.is_unique:
        return
    repeated = index[index.duplicated()].unique()
    shown = ", ".join(repr(label) for label in repeated[:3])
    raise ValidationError(
        "df",
        f"has a non-unique index ({len(repeated)} labels repeat, e.g. {shown}), so results "
        "could not be joined back onto the right contacts: use df.reset_index(drop=True) "
        "(or pd.concat(..., ignore_index=True) when combining sheets) before prepare",
    )
