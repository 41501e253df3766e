"""``prepare()``: contacts + a text column or a template -> the plan, one row per recipient.

The plan keeps the caller's index and flags every row it would not send (never drops one):
an invalid phone, an invalid sender, a template field that is missing, an empty text or one
over 1000 characters each give a ``problem``; an exact repeat of an earlier row's
``(phone, text, sender)`` gets ``duplicate_of`` = that row's label and is sent once.

Templates are ``str.format`` strings whose fields are plain column names (``{name}``,
``{price:.2f}``). Each field's distinct values are rendered once; the texts of the distinct
tuples of values are then made with one ``join`` and one ``split``, and counted from the fields'
measures (:func:`smsc_frames.segments.measure_texts`), never read character by character.
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
>>> plan.attrs["options"].maxsms
2
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Hashable

import numpy as np
import pandas as pd

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import factorize_objects
from smsc_frames.options import Options, validate_sender
from smsc_frames.phones import normalize_phones
from smsc_frames.segments import TextMeasure, count_measured, measure_texts, normalize_text
from smsc_frames.sorting import stable_argsort

MAX_TEXT_CHARACTERS = 1000
"""SMSC's limit on ``mes``."""

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
    "duplicate_of",
    "sendable",
]

_FLOAT_PRESENTATIONS = tuple("eEfFgGn%")


def _column(df: pd.DataFrame, name: object, parameter: str) -> Hashable:
    """The label of column *name* (matched as given or by its ``str``), else a clear error."""
    if name in df.columns:
        return name
    by_text = {str(label): label for label in df.columns}
    if str(name) in by_text:
        return by_text[str(name)]
    available = ", ".join(map(str, df.columns))
    raise ValidationError(parameter, f"names no column; available columns: {available}", name)


def _is_missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _render(value: object, spec: str, conversion: str | None) -> str:
    """One value as a template field shows it (whole floats without ``.0``)."""
    if conversion == "r":
        value = repr(value)
    elif conversion == "a":
        value = ascii(value)
    elif conversion == "s":
        value = str(value)
    if (
        isinstance(value, (float, np.floating))
        and float(value).is_integer()
        and not spec.endswith(_FLOAT_PRESENTATIONS)
    ):
        value = int(value)
    return format(value, spec)


def _parse_template(
    template: object, df: pd.DataFrame
) -> list[tuple[str, Hashable | None, str, str | None]]:
    """``(literal, column, spec, conversion)`` pieces; refuses fields that are not columns."""
    if not isinstance(template, str):
        raise ValidationError("template", "must be a str.format string", template)
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValidationError(
            "template", f"is not a valid str.format string ({error})", template
        ) from None
    parsed = []
    for literal, field, spec, conversion in pieces:
        if field is None:
            parsed.append((literal, None, "", None))
            continue
        if field == "" or field.isdigit():
            raise ValidationError(
                "template", "every {field} must name a column, as in {name}", template
            )
        if "{" in (spec or ""):
            raise ValidationError(
                "template", "nested {fields} inside a format spec are not supported", template
            )
        try:
            column = _column(df, field, "template")
        except ValidationError as error:
            raise ValidationError("template", f"field {{{field}}} {error.rule}", field) from None
        parsed.append((literal, column, spec or "", conversion))
    return parsed


def _render_distinct(
    values: pd.Series, spec: str, conversion: str | None, label: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of each row's value, and per distinct value its text and problem (or ``None``).

    The last distinct slot stands for a missing value. Strings under a plain field (no
    spec, no conversion but ``!s``) are their own text, so a text column is not formatted.
    """
    if isinstance(values.dtype, pd.StringDtype):  # texts: repeats share objects (read_csv)
        codes, uniques = factorize_objects(values.to_numpy(dtype=object))
    else:
        codes, uniques = pd.factorize(values)
    texts = np.empty(len(uniques) + 1, dtype=object)
    problems = np.full(len(uniques) + 1, None, dtype=object)
    problems[-1] = f"template field {label!r} is missing"
    codes = np.where(codes < 0, len(uniques), codes)
    if (
        spec == ""
        and conversion in (None, "s")
        and pd.api.types.infer_dtype(uniques, skipna=False) == "string"
    ):
        texts[:-1] = np.asarray(uniques, dtype=object)
        return codes, texts, problems
    for position, value in enumerate(uniques):
        if _is_missing(value):
            problems[position] = problems[-1]
            continue
        try:
            texts[position] = _render(value, spec, conversion)
        except (ValueError, TypeError) as error:
            problems[position] = f"template field {label!r} cannot be formatted ({error})"
    return codes, texts, problems


def _combine(codes: list[np.ndarray], rows: int) -> np.ndarray:
    """One code per distinct tuple of the given code columns (each ``>= 0``), counting up
    from 0: mixed-radix integers, factorized once (and before they could overflow), or,
    when they span a small range, ranked through a table of the values present.

    Examples
    --------
    >>> _combine([np.array([7, 7, 10**17]), np.array([5, 5, 2**40])], 3).tolist()
    [0, 0, 1]
    """
    combined = np.zeros(rows, dtype=np.int64)
    size = 1
    for column in codes:
        width = int(column.max(initial=0)) + 1
        if size * width >= 1 << 62:
            combined, distinct = pd.factorize(combined)
            size = len(distinct)
        if size * width >= 1 << 62:  # a column of big keys: its codes instead
            column, distinct = pd.factorize(column)
            width = len(distinct)
        combined = combined * width + column
        size *= width
    if size <= 4 * rows + 1024:
        present = np.zeros(size, dtype=bool)
        present[combined] = True
        return (np.cumsum(present) - 1)[combined]
    return pd.factorize(combined)[0]


def _fill(
    df: pd.DataFrame, pieces: list, rows: int, translit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, TextMeasure]:
    """Each row's code of its distinct tuple of field values, and per tuple its text (``None``
    when a field is broken), problem and :class:`~smsc_frames.segments.TextMeasure`: the
    template is filled once per tuple.

    Each field's distinct values are rendered and measured once, with the literal before
    the field in front (and the last field with the literal after it); a tuple's text is
    the concatenation of those pieces, and its measure their sum, so the tuples' texts are
    never read character by character here.
    """
    fields = []
    literal = ""  # escaped braces ({{, }}) come as pieces of their own, anywhere
    for piece_literal, column, spec, conversion in pieces:
        literal += piece_literal
        if column is None:
            continue
        codes, texts, problems = _render_distinct(df[column], spec, conversion, str(column))
        before = np.asarray(literal, dtype=object)  # a numpy str would drop end NULs
        fields.append([codes, before + np.where(pd.isna(problems), texts, ""), problems])
        literal = ""
    if not fields:  # a template without fields: one text for every row
        fields.append(
            [
                np.zeros(rows, dtype=np.int64),
                np.array([""], dtype=object),
                np.array([None], dtype=object),
            ]
        )
    fields[-1][1] = fields[-1][1] + np.asarray(literal, dtype=object)
    combined, first = _by_first_appearance(_combine([codes for codes, _, _ in fields], rows))
    measures, texts = [], []
    problem = np.full(len(first), None, dtype=object)
    broken = np.zeros(len(first), dtype=bool)
    for codes, shown, problems in fields:
        tuple_codes = codes[first]
        measures.append(measure_texts(shown, translit)[tuple_codes])
        texts.append(shown[tuple_codes])
        if pd.notna(problems).any():
            field_problem = problems[tuple_codes]
            problem, broken = _join_problems(
                [(problem, broken), (field_problem, pd.notna(field_problem))], len(first)
            )
    text = _concatenate(texts)
    text[broken] = None
    return combined, text, problem, sum(measures[1:], start=measures[0])


def _by_first_appearance(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """*codes* (``0..k-1``, all present) renumbered by first appearance, and where each
    first appears.

    The tuples' texts are then made in the order the rows first meet them, so they lie in
    memory in row order and every later pass over a column of them reads memory in order
    (a pass over texts scattered in memory costs three times more).

    Examples
    --------
    >>> [values.tolist() for values in _by_first_appearance(np.array([2, 0, 2, 1]))]
    [[0, 1, 0, 2], [0, 1, 3]]
    """
    first = _first_positions(codes, int(codes.max(initial=-1)) + 1)
    order = np.argsort(first)
    renumbered = np.empty(len(order), dtype=np.int64)
    renumbered[order] = np.arange(len(order))
    return renumbered[codes], first[order]


def _first_positions(codes: np.ndarray, distinct: int) -> np.ndarray:
    """Where each of the codes ``0..distinct-1`` first appears in *codes* (``-1`` ignored).

    Examples
    --------
    >>> _first_positions(np.array([1, -1, 0, 1, 0]), 2).tolist()
    [2, 0]
    """
    present = np.flatnonzero(codes >= 0)
    first = np.full(distinct, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[present], present)
    return first


def _concatenate(columns: list[np.ndarray]) -> np.ndarray:
    """Row-wise concatenation of object arrays of ``str``: one ``join`` per row, not one new
    string per column and row.

    Examples
    --------
    >>> _concatenate([np.array(["a", "b"], dtype=object), np.array(["1", ""], dtype=object)])
    array(['a1', 'b'], dtype=object)
    """
    if len(columns) == 1:
        return columns[0].copy()
    concatenated = np.empty(len(columns[0]), dtype=object)
    concatenated[:] = list(map("".join, zip(*columns)))
    return concatenated


def _text_pieces(df: pd.DataFrame, text: object, template: object) -> list:
    """The template's pieces (:func:`_parse_template`), or a text column as a template of
    one field; refuses both or neither."""
    if (text is None) == (template is None):
        raise ValidationError("text", "give exactly one of text= (a column) or template=")
    if text is not None:
        return [("", _column(df, text, "text"), "", None)]
    return _parse_template(template, df)


def _senders(df: pd.DataFrame, sender: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's sender code, and per code the sender (``None`` = account default) and its
    problem; from a column, or one constant."""
    if isinstance(sender, str) and sender in df.columns:
        codes, values, _ = _render_distinct(df[sender], "", None, sender)
        problems = np.full(len(values), None, dtype=object)
        for position, value in enumerate(values):
            if value is not None:
                try:
                    validate_sender(value)
                except ValidationError as error:
                    problems[position] = f"sender: {error.rule}"
        return codes, values, problems
    constant = None if sender is None else validate_sender(sender)
    return (
        np.zeros(len(df), dtype=np.int64),
        np.array([constant], dtype=object),
        np.array([None], dtype=object),
    )


def _distinct_normalized(
    texts: np.ndarray, measure: TextMeasure, translit: int
) -> tuple[np.ndarray, np.ndarray, TextMeasure]:
    """Each text's code (``-1`` for ``None``), the distinct texts normalised (CRLF/CR -> LF,
    NFC) and their measures.

    Only the texts whose measure shows a character NFC may change are normalised (and
    measured again); when that makes two texts equal, they get one code.
    """
    codes, distinct = factorize_objects(texts)
    measure = measure[_first_positions(codes, len(distinct))]
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
            measure = measure[_first_positions(merged_codes, len(merged))]
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
    tuple_codes, tuple_texts, tuple_problems, tuple_measure = _fill(df, pieces, len(df), translit)
    if from_column:  # a missing text is an empty one, said plainly
        tuple_problems[:] = None
    distinct_codes, distinct, measure = _distinct_normalized(tuple_texts, tuple_measure, translit)
    distinct = np.append(distinct, "")  # last: no text
    measure = measure.appended(measure_texts([""]))
    distinct_codes[distinct_codes < 0] = len(distinct) - 1
    text_codes = distinct_codes[tuple_codes]
    counts = count_measured(measure, distinct, maxsms=options.maxsms, translit=translit)

    length = measure.length
    text_problems = np.full(len(distinct), None, dtype=object)
    text_problems[(length == 0) | (measure.spaces == length)] = "empty text"
    too_long = length > MAX_TEXT_CHARACTERS
    text_problems[too_long] = [
        f"text over {MAX_TEXT_CHARACTERS} characters ({n})" for n in length[too_long]
    ]
    return _PlanTexts(
        tuple_codes=tuple_codes,
        text_codes=text_codes,
        row_texts=np.append(distinct[:-1], None)[text_codes],  # the last slot: no text
        counts=counts,
        tuple_problems=tuple_problems,
        text_problems=np.where(
            pd.notna(tuple_problems),
            None,  # already explained
            text_problems[distinct_codes],
        ),
    )


def _campaign_options(
    options: Options | None, sender: object, option_kwargs: dict
) -> tuple[Options, object]:
    if options is not None and not isinstance(options, Options):
        raise ValidationError("options", "must be an Options instance", type(options).__name__)
    merged = {**(options.set_values() if options else {}), **option_kwargs}
    options = Options.from_kwargs(**merged)
    if options.sender is not None:
        if sender is not None and sender != options.sender:
            raise ValidationError(
                "sender", "is given twice, as sender= and in the options", options.sender
            )
        sender = options.sender
    return Options.from_kwargs(**{k: v for k, v in merged.items() if k != "sender"}), sender


def _join_problems(
    columns: list[tuple[np.ndarray, np.ndarray]], rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ``"; "``-joined problems (``None`` where there are none), and where there are.

    Each column is ``(problems, present)``: the texts and a bool mask of where one applies.
    """
    joined = np.full(rows, None, dtype=object)
    has = np.zeros(rows, dtype=bool)
    for column, present in columns:
        both = present & has
        joined[both] = joined[both] + "; " + column[both]
        alone = present & ~has
        joined[alone] = column[alone]
        has |= present
    return joined, has


def prepare(
    df: pd.DataFrame,
    *,
    phone: str,
    text: str | None = None,
    template: str | None = None,
    sender: str | None = None,
    options: Options | None = None,
    default_region: str = "RU",
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
        ``str.format`` string filled per row from the columns it names.
    sender : str, optional
        A column name when ``df`` has such a column (missing = the account's default sender),
        else one sender for every row, checked with
        :func:`smsc_frames.options.validate_sender`.
    options : Options, optional
        Campaign parameters; ``option_kwargs`` (``maxsms=2``, ``translit=1``...) are merged
        over them and validated.
    default_region : str
        Region for numbers written without a country code.

    Returns
    -------
    pandas.DataFrame
        Columns ``phone_input``, ``phone``, ``region``, ``text``, ``sender``, ``encoding``,
        ``units``, ``parts``, ``problem``, ``duplicate_of``, ``sendable``;
        ``attrs["options"]`` holds the validated :class:`~smsc_frames.options.Options`
        (without ``sender``, which is per row).

    Raises
    ------
    ValidationError
        Before anything runs: a column that does not exist (the message lists the available
        ones), both or neither of ``text``/``template``, a bad template, a bad constant
        sender or option.

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
    options, sender = _campaign_options(options, sender, option_kwargs)
    phone_column = _column(df, phone, "phone")
    pieces = _text_pieces(df, text, template)
    sender_codes, senders, sender_problems = _senders(df, sender)
    phones = normalize_phones(df[phone_column], default_region=default_region, keys=True)
    texts_found = _plan_texts(df, pieces, options, from_column=text is not None)
    tuple_codes, text_codes = texts_found.tuple_codes, texts_found.text_codes

    bad_phone = ~phones["phone_ok"].to_numpy(dtype=bool)
    phone_problems = np.full(len(df), None, dtype=object)
    phone_problems[bad_phone] = (
        "phone: " + phones["problem"][bad_phone].fillna("invalid").astype(str)
    ).to_numpy(dtype=object)
    problem, has_problem = _join_problems(
        [(phone_problems, bad_phone)]
        + [
            (problems[codes], pd.notna(problems)[codes])
            for problems, codes in (
                (sender_problems, sender_codes),
                (texts_found.tuple_problems, tuple_codes),
                (texts_found.text_problems, tuple_codes),
            )
            if pd.notna(problems).any()  # spread to the rows only when there is one
        ],
        len(df),
    )
    duplicate_of, is_duplicate = _duplicates(
        df.index, phones["phone_key"].to_numpy(), text_codes, sender_codes, ~has_problem
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
            "duplicate_of": column(duplicate_of),
            "sendable": column(~has_problem & ~is_duplicate),
        },
        axis=1,
    )
    plan.attrs["options"] = options
    return plan


def mark_duplicates(plan: pd.DataFrame) -> pd.DataFrame:
    """``duplicate_of`` and ``sendable`` recomputed from a plan's columns, with prepare's rule.

    Among the rows without a ``problem``, a row repeating an earlier row's ``(phone, text,
    sender)`` gets ``duplicate_of`` = the label of the first such row; ``sendable`` is true
    for the rows with neither. Use it after changing texts (texts that became equal for the
    same phone and sender become duplicates).

    Parameters
    ----------
    plan : pandas.DataFrame
        A plan: columns ``phone``, ``text``, ``sender``, ``problem`` at least.

    Returns
    -------
    pandas.DataFrame
        A new plan, same index, columns and ``attrs``; only ``duplicate_of`` and
        ``sendable`` differ.

    Examples
    --------
    >>> plan = pd.DataFrame({"phone": ["79161234567"] * 3, "text": ["Hi", "Bye", "Hi"],
    ...                      "sender": [None] * 3, "problem": [None] * 3}, index=[10, 11, 12])
    >>> mark_duplicates(plan)[["duplicate_of", "sendable"]]
       duplicate_of  sendable
    10         None      True
    11         None      True
    12           10     False
    """
    text_codes = pd.factorize(plan["text"].to_numpy(dtype=object), use_na_sentinel=False)[0]
    sender_codes = pd.factorize(plan["sender"].to_numpy(dtype=object), use_na_sentinel=False)[0]
    clean = plan["problem"].isna().to_numpy()
    phone_codes = pd.factorize(plan["phone"].to_numpy(dtype=object), use_na_sentinel=False)[0]
    duplicate_of, is_duplicate = _duplicates(
        plan.index, phone_codes, text_codes, sender_codes, clean
    )
    return plan.assign(
        duplicate_of=pd.Series(duplicate_of, index=plan.index, dtype=object),
        sendable=pd.Series(clean & ~is_duplicate, index=plan.index),
    )


def _occurs_more_than_once(keys: np.ndarray) -> np.ndarray:
    """Which *keys* occur more than once: one stable radix sort, equal neighbours.

    Examples
    --------
    >>> _occurs_more_than_once(np.array([5, 79161234567, 5, 2])).tolist()
    [True, False, True, False]
    """
    order = stable_argsort(keys)
    ranked = keys[order]
    same = ranked[1:] == ranked[:-1]
    repeated = np.zeros(len(keys), dtype=bool)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


def _duplicates(
    index: pd.Index,
    phone_codes: np.ndarray,
    text_codes: np.ndarray,
    sender_codes: np.ndarray,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate row repeating an earlier candidate's (phone, text, sender): its label
    (``None`` elsewhere); and which rows those are (a label may itself be ``None``).

    The codes must be ``>= 0``: *phone_codes* are integers equal exactly where the phones
    are (the candidates' phone keys, or codes). Only rows whose phone occurs more than once
    are looked at; their tuples are coded, and each code's first row found by
    :func:`_first_positions`.
    """
    rows = np.flatnonzero(candidates)
    rows = rows[_occurs_more_than_once(phone_codes[rows])]  # only they can repeat a row
    key = _combine([phone_codes[rows], text_codes[rows], sender_codes[rows]], len(rows))
    first = _first_positions(key, int(key.max(initial=-1)) + 1)
    repeated = first[key] != np.arange(len(rows))
    duplicate_of = np.full(len(index), None, dtype=object)
    is_duplicate = np.zeros(len(index), dtype=bool)
    if repeated.any():
        originals = rows[first[key[repeated]]]
        duplicate_of[rows[repeated]] = index[originals].to_numpy(dtype=object)
        is_duplicate[rows[repeated]] = True
    return duplicate_of, is_duplicate
