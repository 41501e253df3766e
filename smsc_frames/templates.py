"""Templates: ``str.format`` strings whose fields are column names, filled once per distinct
tuple of field values.

Each field's distinct values are rendered once; the texts of the distinct tuples of values are
then made with one ``join`` each, and measured from the fields' measures
(:func:`smsc_frames.segments.measure_texts`), never read character by character. A missing
field value or one its format cannot take is a row problem, not an error.

Examples
--------
>>> contacts = pd.DataFrame({"name": ["Anna", "Ivan", "Anna"], "bonus": [5.0, None, 5.0]})
>>> codes, texts, problems, _ = fill_template(
...     contacts, parse_template("{name}: +{bonus}", contacts), 3, translit=0)
>>> codes.tolist(), texts.tolist(), problems.tolist()
([0, 1, 0], ['Anna: +5', None], [None, "template field 'bonus' is missing"])
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd
import pyarrow as pa

from smsc_frames.errors import ValidationError
from smsc_frames.objectcodes import combine_codes, factorize_objects, first_positions, is_none
from smsc_frames.segments import TextMeasure, measure_texts

__all__ = [
    "concatenate",
    "fill_template",
    "find_column",
    "is_text_column",
    "join_problems",
    "parse_template",
    "render_distinct",
]

_FLOAT_PRESENTATIONS = tuple("eEfFgGn%")
_REPEAT_SAMPLE = 10_000


def find_column(df: pd.DataFrame, name: object, parameter: str) -> Hashable:
    """The label of column *name*, else a clear error.

    Matched as given, then by its ``str``, then ignoring case and surrounding spaces when
    that names exactly one column (``--phone телефон`` finds ``Телефон``). Several columns
    equal but for case, several of the very same name, or none, raise an error listing the
    columns, with "did you mean" the closest names.
    """
    try:
        hash(name)
    except TypeError:
        raise ValidationError(
            parameter, f"must be one column's name, not a {type(name).__name__}", name
        ) from None
    if name in df.columns:
        return _only_one(df, name, parameter)
    same_text = _distinct_labels(df, lambda label: str(label) == str(name))
    if len(same_text) == 1:
        return _only_one(df, same_text[0], parameter)
    wanted = str(name).strip().casefold()
    same = _distinct_labels(df, lambda label: str(label).strip().casefold() == wanted)
    if len(same) == 1:
        return _only_one(df, same[0], parameter)
    available = ", ".join(map(str, df.columns))
    if same:
        several = ", ".join(repr(str(label)) for label in same)
        raise ValidationError(
            parameter, f"matches several columns ({several}): write one exactly", name
        )
    folded = {str(label).strip().casefold(): str(label) for label in df.columns}
    close = difflib.get_close_matches(wanted, list(folded), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(folded[c]) for c in close)}? " if close else ""
    raise ValidationError(parameter, f"names no column; {hint}available columns: {available}", name)


def _distinct_labels(df: pd.DataFrame, matches: Callable[[Hashable], bool]) -> list[Hashable]:
    """The column labels *matches* accepts, each once however many columns carry it."""
    return list(dict.fromkeys(label for label in df.columns if matches(label)))


def _only_one(df: pd.DataFrame, label: Hashable, parameter: str) -> Hashable:
    """*label*, if exactly one column has it; a frame users build can hold several
    (``pd.concat(axis=1)``, ``set_axis``), and which one is meant cannot be guessed."""
    where = df.columns.get_loc(label)
    if isinstance(where, int):
        return label
    if isinstance(df.columns, pd.MultiIndex):
        raise ValidationError(
            parameter,
            "names a group of columns under a header of several rows: give a whole column's "
            "names as a tuple, or flatten the header first (df.columns = df.columns.map(' '.join))",
            label,
        )
    raise ValidationError(
        parameter,
        f"names {df.columns.tolist().count(label)} columns of the same name: rename them apart "
        "(df.columns = [...]) or drop the extra ones",
        label,
    )


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


def parse_template(
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
    parsed: list[tuple[str, Hashable | None, str, str | None]] = []
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
            column = find_column(df, field, "template")
        except ValidationError as error:
            raise ValidationError("template", f"field {{{field}}} {error.rule}", field) from None
        parsed.append((literal, column, spec or "", conversion))
    return parsed


def is_text_column(dtype: object) -> bool:
    """Whether a column of *dtype* holds only texts and missing values: pandas' string
    dtypes (``string``, and ``str``, pandas 3's default for text read by ``pd.read_csv``)
    and Arrow strings (``string[pyarrow]`` as an ``ArrowDtype``)."""
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(
            dtype.pyarrow_dtype
        )
    return isinstance(dtype, pd.StringDtype)


def _coded_by_arrow(values: pd.Series) -> bool:
    """Whether to code a text column with Arrow: its strings are in Arrow memory, not
    Python objects, and its values repeat (half or fewer distinct in a sample of
    :data:`_REPEAT_SAMPLE` rows, ten runs spread over the column).

    ``pd.factorize`` (Arrow's ``dictionary_encode``) then makes only the distinct values
    Python strings: a 1M-row field of 32 names is coded in 0.03 s against 1.2 s for making
    every row a ``str`` and coding those (all different objects); one text shared by 1M rows
    is planned in 1.06 s against 2.22. A column of different texts pays Arrow's hash and
    the strings both (``prepare`` 6-15% slower), so it takes the objects' path
    (``benchmarks/pandas_frames.py``).
    """
    dtype = values.dtype
    if not is_text_column(dtype) or getattr(dtype, "storage", "pyarrow") != "pyarrow":
        return False
    # ten runs of rows spread over the column: slices, as a strided take copies the column
    run = _REPEAT_SAMPLE // 10
    starts = range(0, len(values), max(run, len(values) // 10))
    sample = [values.iloc[start : start + run].to_numpy(dtype=object) for start in starts]
    rows = sum(map(len, sample))
    return len(set().union(*sample)) * 2 <= rows


def render_distinct(
    values: pd.Series, spec: str, conversion: str | None, label: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of each row's value, and per distinct value its text and problem (or ``None``).

    The last distinct slot stands for a missing value. Strings under a plain field (no
    spec, no conversion but ``!s``) are their own text, so a text column is not formatted.
    """
    strings = is_text_column(values.dtype)
    if _coded_by_arrow(values):  # pandas' own read_csv, repeated values: Arrow's hash
        codes, uniques = pd.factorize(values)
        uniques = np.asarray(uniques, dtype=object)
    elif strings and values.dtype.na_value is pd.NA:  # repeats share objects (read_contacts)
        codes, uniques = factorize_objects(values.to_numpy(dtype=object), missing=pd.NA)
    elif strings:
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
        and (strings or pd.api.types.infer_dtype(uniques, skipna=False) == "string")
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


def fill_template(
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
        codes, texts, problems = render_distinct(df[column], spec, conversion, str(column))
        fields.append([codes, _prefixed(literal, np.where(is_none(problems), texts, "")), problems])
        literal = ""
    if not fields:  # a template without fields: one text for every row
        fields.append(
            [
                np.zeros(rows, dtype=np.int64),
                np.array([""], dtype=object),
                np.array([None], dtype=object),
            ]
        )
    if literal:
        fields[-1][1] = fields[-1][1] + np.asarray(literal, dtype=object)
    combined, first = _by_first_appearance(combine_codes([codes for codes, _, _ in fields], rows))
    measures: list[TextMeasure] = []
    tuple_texts: list[np.ndarray] = []
    problem = np.full(len(first), None, dtype=object)
    broken = np.zeros(len(first), dtype=bool)
    for codes, shown, problems in fields:
        tuple_codes = codes[first]
        if _counts_up(tuple_codes):  # a text column: its values are its tuples (a view)
            measures.append(measure_texts(shown[: len(tuple_codes)], translit))
            tuple_texts.append(shown[: len(tuple_codes)])
        else:
            measures.append(measure_texts(shown, translit)[tuple_codes])
            tuple_texts.append(shown[tuple_codes])
        present = ~is_none(problems)
        if present.any():
            problem, broken = join_problems(
                [(problem, broken), (problems[tuple_codes], present[tuple_codes])], len(first)
            )
    # the pieces are fresh arrays (np.where above): one is the texts as it is
    text = tuple_texts[0] if len(tuple_texts) == 1 else concatenate(tuple_texts)
    text[broken] = None
    return combined, text, problem, sum(measures[1:], start=measures[0])


def _prefixed(literal: str, texts: np.ndarray) -> np.ndarray:
    """*literal* + each text; *texts* themselves when the literal is empty (``"" + text`` is
    ``text``: a pass over a million objects saved)."""
    if not literal:
        return texts
    return np.asarray(literal, dtype=object) + texts  # a numpy str would drop end NULs


def _counts_up(codes: np.ndarray) -> bool:
    """Whether *codes* are ``0, 1, 2...`` (taking by them is a slice, not a copy)."""
    return bool((codes == np.arange(len(codes))).all())


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
    first = first_positions(codes, int(codes.max(initial=-1)) + 1)
    order = np.argsort(first)
    renumbered = np.empty(len(order), dtype=np.int64)
    renumbered[order] = np.arange(len(order))
    return renumbered[codes], first[order]


def concatenate(columns: list[np.ndarray]) -> np.ndarray:
    """Row-wise concatenation of object arrays of ``str``: one ``join`` per row, not one new
    string per column and row.

    Examples
    --------
    >>> concatenate([np.array(["a", "b"], dtype=object), np.array(["1", ""], dtype=object)])
    array(['a1', 'b'], dtype=object)
    """
    if len(columns) == 1:
        return columns[0].copy()
    concatenated = np.empty(len(columns[0]), dtype=object)
    concatenated[:] = list(map("".join, zip(*columns)))
    return concatenated


def join_problems(
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
