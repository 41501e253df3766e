"""The wire format of a request: ``list=`` lines or ``phones`` + ``mes``, its digest, and back.

Rows with the same ``(sender, text)`` share one ``phones:text`` line (phones joined by ``,``);
a request holding one such line goes as plain ``phones`` + ``mes``. One sender for a whole
request becomes the ``sender`` parameter; otherwise each line with a sender is written
``sender|phones:text``. A newline inside a text is written as the two characters ``\\n``. A text
that already holds a backslash followed by ``n`` (or a carriage return) cannot be written
unambiguously in a ``list=`` line, so its rows go in plain ``phones`` + ``mes`` requests of
their own (:func:`distinct_texts` says which). :func:`build_requests` writes the requests a
:class:`~smsc_frames.batching.Packing` was split into; :func:`decode_params` reads one back.

Examples
--------
>>> decode_params({"list": "Shop|79161234567,79031234567:Hi\\nBar|79261234567:Bye"})
         phone text sender
0  79161234567   Hi   Shop
1  79031234567   Hi   Shop
2  79261234567  Bye    Bar
>>> newline, backslash = chr(10), chr(92)
>>> texts = distinct_texts(np.array(["a" + newline + "b", "c" + backslash + "nd"], dtype=object))
>>> texts.plain.tolist(), texts.wire_bytes.tolist()  # the newline as the 2 characters \\n
([False, True], [6, 6])
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from smsc_frames.formencoding import chunk_urlencoded_lengths, urlencoded_length, utf8_chunks
from smsc_frames.options import Options
from smsc_frames.phonetable import PAD

if TYPE_CHECKING:
    from smsc_frames.batching import Groups, Packing

__all__ = [
    "ListParams",
    "Payload",
    "Texts",
    "build_requests",
    "decode_params",
    "distinct_senders",
    "distinct_texts",
    "fixed_params",
    "params_hash",
]

_LIST_LINE = re.compile(r"(?:(?P<sender>[^|:]*)\|)?(?P<phones>[^:]*):(?P<text>.*)", re.DOTALL)
_NO_ROWS = np.empty(0, dtype=np.int64)
_NO_ROWS.flags.writeable = False


@dataclasses.dataclass(frozen=True, repr=False)
class Payload:
    """One ``send.php`` request of a campaign (without credentials, charset, fmt, cost, op).

    Attributes
    ----------
    id : str
        The SMSC message ``id`` of every message in the request.
    params : mapping of str to str
        ``id``, the campaign's option parameters, ``sender`` when the whole request has one,
        and either ``phones`` + ``mes`` or ``list`` (a :class:`ListParams`, whose ``list``
        string is written each time it is read).
    recipients : tuple of str
        The distinct phones, in canonical order (by phone), whatever the plan's row order.
    messages : int
        SMS parts times recipients, counted locally.
    body_bytes : int
        Size of ``urllib.parse.urlencode(params)``.
    digest : str
        SHA-256 of the canonical params; the same request always has the same digest.
    rows : numpy.ndarray of int
        Positions in the plan (as in ``plan.iloc``) of the rows the request carries, aligned
        with ``recipients``; read-only, empty for a payload built by hand. Not part of
        equality: it says where the messages came from, not what is sent.
    """

    id: str
    params: Mapping[str, str]
    recipients: tuple[str, ...]
    messages: int
    body_bytes: int
    digest: str
    rows: np.ndarray = dataclasses.field(default_factory=lambda: _NO_ROWS, compare=False)

    def __repr__(self) -> str:
        form = "list" if "list" in self.params else "phones+mes"
        return (
            f"Payload(id={self.id!r}, {form}, recipients={len(self.recipients)}, "
            f"messages={self.messages}, body_bytes={self.body_bytes})"
        )


_CUT = 0xFE
"""Put before each ``list=`` line but a request's first, to split the lines apart: no UTF-8
text holds it either, so it decodes (``surrogateescape``) to :data:`_CUT_CHAR` and nothing else
does."""
_CUT_CHAR = chr(0xDC00 + _CUT)
_PAD_BYTE = bytes([PAD])
_COLON_TO_COMMA = bytes.maketrans(b":", b",")


@dataclasses.dataclass
class Texts:
    """Per distinct text, aligned arrays (see :func:`_distinct_texts`)."""

    raw: np.ndarray  # object: the text
    wire: np.ndarray  # object: its list= form
    plain: np.ndarray  # bool: it must go as phones+mes
    wire_bytes: np.ndarray  # urlencoded bytes of wire
    mes_bytes: np.ndarray  # urlencoded bytes of raw


def distinct_texts(values: np.ndarray) -> Texts:
    """Per distinct text: the ``raw`` text, its ``list=`` form ``wire`` (newline -> ``\\n``),
    whether it must go ``plain`` (phones+mes) and the urlencoded bytes of both forms.

    One pass over the texts' UTF-8 bytes (:func:`~smsc_frames.formencoding.utf8_chunks`) gives
    the bytes; newlines, carriage returns and backslash-n are looked for only in chunks holding
    a newline, a carriage return or a backslash.
    """
    mes_bytes = np.zeros(len(values), dtype=np.int64)
    newlines = np.zeros(len(values), dtype=np.int64)
    plain = np.zeros(len(values), dtype=bool)
    for chunk in utf8_chunks(values.tolist()):
        rows, encoded, byte_lengths = chunk.rows, chunk.encoded, chunk.byte_lengths
        mes_bytes[rows] = chunk_urlencoded_lengths(chunk)
        if b"\n" in encoded or b"\r" in encoded or b"\\" in encoded:
            data = np.frombuffer(encoded, dtype=np.uint8)
            starts = np.cumsum(byte_lengths + 1) - byte_lengths - 1
            newlines[rows] = np.add.reduceat(data == ord("\n"), starts, dtype=np.int64)
            unsafe = data == ord("\r")
            unsafe[1:] |= (data[1:] == ord("n")) & (data[:-1] == ord("\\"))
            plain[rows] = np.add.reduceat(unsafe, starts, dtype=np.int64) > 0
    multiline = (newlines > 0) & ~plain
    wire = values
    if multiline.any():
        wire = values.copy()
        wire[multiline] = [text.replace("\n", "\\n") for text in values[multiline]]
    wire_bytes = mes_bytes + np.where(multiline, newlines, 0)  # %0A -> %5Cn
    return Texts(raw=values, wire=wire, plain=plain, wire_bytes=wire_bytes, mes_bytes=mes_bytes)


def distinct_senders(values: np.ndarray) -> pd.DataFrame:
    """Per distinct sender: its ``name`` (``None`` = account default) and urlencoded bytes."""
    name = pd.Series(values, dtype=object)
    name = name.where(name.notna(), None)
    named = name.notna().to_numpy()
    size = np.zeros(len(name), dtype=np.int64)
    if named.any():
        size[named] = urlencoded_length(name[named].astype(str))
    return pd.DataFrame({"name": name, "named": named, "bytes": size})


def fixed_params(options: Options, id_length: int) -> dict[str, str]:
    return {"id": "x" * id_length, **options.to_params()}


def params_hash(params: Mapping[str, str]) -> hashlib._Hash:
    """SHA-256 of *params* in a canonical form: by name, each value's UTF-8 length-prefixed
    (``name=length:value``), so no two different dicts hash the same bytes."""
    content = hashlib.sha256()
    for name in sorted(params):
        value = params[name].encode("utf-8")
        content.update(b"%s=%d:" % (name.encode("utf-8"), len(value)))
        content.update(value)
    return content


def build_requests(
    packing: Packing,
    starts: np.ndarray,
    groups: Groups,
    texts: Texts,
    senders: pd.DataFrame,
) -> list[tuple[Mapping[str, str], tuple[str, ...], int, int]]:
    """Render each request: its line params (without id/options), recipients, parts, bytes.

    A ``list=`` request's params are a :class:`ListParams`, written when read.

    The byte count covers the line params only, joined to the rest by one ``&``.
    """
    n = len(packing.row)
    ends = np.append(starts[1:], n)
    piece_first = packing.segment_first.copy()
    piece_first[starts] = True
    piece_last = np.append(piece_first[1:], True)
    group_text, group_sender = groups.text, groups.sender
    named = senders["named"].to_numpy()
    sender_bytes = senders["bytes"].to_numpy()
    sender_name = senders["name"].to_numpy(dtype=object)
    # per piece (a line, or the part of a line in one request), where the requests' start
    piece_group = packing.group[piece_last]
    first_piece = np.append(np.searchsorted(np.flatnonzero(piece_first), starts), len(piece_group))
    piece_text_code = group_text[piece_group]
    if len(senders) == 1:  # one sender (the usual default): no prefixes, uniform requests
        uniform = np.ones(len(starts), dtype=bool)
        prefixed = np.zeros(n, dtype=bool)
        prefix_at = np.zeros(0, dtype=np.int64)
        line_of_prefix = prefix_at
    else:
        sender_code = group_sender[packing.group]
        uniform = np.minimum.reduceat(sender_code, starts) == np.maximum.reduceat(
            sender_code, starts
        )
        request = np.repeat(np.arange(len(starts)), ends - starts)
        prefixed = piece_first & ~uniform[request] & named[sender_code]
        prefix_at = np.flatnonzero(prefixed)
        line_of_prefix = np.cumsum(piece_first)[prefix_at] - 1 - first_piece[request[prefix_at]]
        del sender_code, request

    table = _line_table(packing.phone_utf8, starts, piece_first, piece_last, prefixed)
    piece_text = texts.wire[piece_text_code]
    # "sender|" before each prefixed line's head (with the newline the head lacks), by line
    prefix_sender = group_sender[packing.group[prefix_at]]
    prefix = (
        np.where(line_of_prefix > 0, "\n", "").astype(object) + sender_name[prefix_sender] + "|"
    )
    prefix_bounds = np.searchsorted(prefix_at, starts).tolist() + [len(prefix_at)]
    prefix_lines: list[int] = line_of_prefix.tolist()
    prefix_texts: list[str] = prefix.tolist()
    first_pieces: list[int] = first_piece.tolist()

    per_request_list_bytes = (
        np.add.reduceat(packing.row_bytes, starts)
        + np.add.reduceat(texts.wire_bytes[piece_text_code] + 3, first_piece[:-1])
        + np.bincount(
            np.searchsorted(starts, prefix_at, side="right") - 1,
            weights=sender_bytes[prefix_sender] + 3,
            minlength=len(starts),
        ).astype(np.int64)
        - 3  # no final newline
    )
    messages: list[int] = np.add.reduceat(packing.parts, starts).tolist()
    start_group = packing.group[starts]
    start_text: list[int] = group_text[start_group].tolist()
    start_sender: list[int] = group_sender[start_group].tolist()
    uniform_requests: list[bool] = uniform.tolist()
    list_bytes: list[int] = per_request_list_bytes.tolist()

    lines = _ListLines(table, piece_text, first_pieces, prefix_bounds, prefix_lines, prefix_texts)
    built: list[tuple[Mapping[str, str], tuple[str, ...], int, int]] = []
    for k, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        recipients = _recipients(table, packing, start, end)
        sender = sender_name[start_sender[k]] if uniform_requests[k] else None
        fixed: dict[str, str] = {} if sender is None else {"sender": sender}
        line_params: Mapping[str, str]
        if first_pieces[k + 1] - first_pieces[k] == 1:
            [line] = _line_heads(table, start, end)
            line_params = fixed
            line_params["phones"] = line[:-1]  # without the ":" that ends a line's phones
            line_params["mes"] = texts.raw[start_text[k]]
            line_bytes = (
                len("phones=")
                + int(packing.row_bytes[start:end].sum())
                - 3
                + len("&mes=")
                + int(texts.mes_bytes[start_text[k]])
            )
        else:
            line_params = ListParams(fixed, lines, k, start, end)
            line_bytes = len("list=") + list_bytes[k]
        if sender is not None:
            line_bytes += len("&sender=") + int(sender_bytes[start_sender[k]])
        built.append((line_params, recipients, messages[k], line_bytes))
    return built


@dataclasses.dataclass(frozen=True)
class _ListLines:
    """What the ``list=`` strings of a campaign's requests are written from, shared by their
    :class:`ListParams`: the line heads as bytes (:func:`_line_table`), the texts by piece
    (references to the plan's strings), where each request's pieces start, the sender
    prefixes by request."""

    table: np.ndarray
    piece_text: np.ndarray
    first_pieces: list[int]
    prefix_bounds: list[int]
    prefix_lines: list[int]
    prefix_texts: list[str]

    def write(self, request: int, start: int, end: int) -> str:
        """The ``list`` string of the *request*-th request, rows *start* to *end*."""
        lines = _line_heads(self.table, start, end)
        low, high = self.prefix_bounds[request], self.prefix_bounds[request + 1]
        for line, text in zip(self.prefix_lines[low:high], self.prefix_texts[low:high]):
            lines[line] = text + lines[line]
        tokens = [""] * (2 * len(lines))
        tokens[::2] = lines
        first, last = self.first_pieces[request], self.first_pieces[request + 1]
        tokens[1::2] = self.piece_text[first:last].tolist()
        return "".join(tokens)


class ListParams(Mapping[str, str]):
    """A request's params whose ``list`` string is written each time it is read, from arrays
    the campaign's requests share: a campaign's payloads hold no second copy of its texts.

    The other params are held as given, ``list`` comes last; equal to (and pickled as) the
    plain ``dict``, the same string every time.

    Examples
    --------
    >>> from smsc_frames.payloads import payloads
    >>> plan = pd.DataFrame({"phone": ["79161234567", "79031234567"], "text": ["Hi", "Bye"],
    ...                      "sender": [None, None], "parts": [1, 1], "sendable": [True, True]})
    >>> params = payloads(plan, Options(), campaign_id="c")[0].params
    >>> params
    {'id': 'c-1', 'list': '79031234567:Bye\\n79161234567:Hi'}
    >>> type(params).__name__, params == dict(params), params["list"] is params["list"]
    ('ListParams', True, False)
    """

    __slots__ = ("_end", "_fixed", "_lines", "_request", "_start")

    def __init__(
        self, fixed: dict[str, str], lines: _ListLines, request: int, start: int, end: int
    ) -> None:
        self._fixed = fixed
        self._lines = lines
        self._request = request
        self._start = start
        self._end = end

    @property
    def fixed(self) -> dict[str, str]:
        """The params but ``list``."""
        return self._fixed

    def with_fixed(self, fixed: dict[str, str]) -> ListParams:
        """The same ``list`` after other params *fixed* (which must not hold ``list``)."""
        return ListParams(fixed, self._lines, self._request, self._start, self._end)

    def __getitem__(self, name: str) -> str:
        if name == "list":
            return self._lines.write(self._request, self._start, self._end)
        return self._fixed[name]

    def __contains__(self, name: object) -> bool:
        return name == "list" or name in self._fixed

    def __iter__(self) -> Iterator[str]:
        yield from self._fixed
        yield "list"

    def __len__(self) -> int:
        return len(self._fixed) + 1

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple[type[dict[str, str]], tuple[dict[str, str]]]:
        return dict, (dict(self),)


def _line_table(
    phone_utf8: np.ndarray,
    starts: np.ndarray,
    piece_first: np.ndarray,
    piece_last: np.ndarray,
    prefixed: np.ndarray,
) -> np.ndarray:
    """The ``list=`` lines up to their texts, as bytes: a row of a uint8 matrix per row.

    :data:`_CUT` (to split the lines apart at once) and a newline before a line's first phone,
    but on a request's first line (and no newline on a *prefixed* one: its prefix brings it),
    the phone, then ``,`` or, ending a line, ``:``; :data:`PAD` where nothing goes.
    """
    rows, width = phone_utf8.shape
    table = np.full((rows, width + 3), PAD, dtype=np.uint8)
    table[:, 2:-1] = phone_utf8
    table[:, -1] = np.where(piece_last, ord(":"), ord(","))
    line_start = piece_first.copy()
    line_start[starts] = False
    table[line_start, 0] = _CUT
    table[line_start & ~prefixed, 1] = ord("\n")
    return table


def _line_heads(table: np.ndarray, start: int, end: int) -> list[str]:
    """The ``list=`` lines of rows *start* to *end* up to their texts, ``[\\n]phone,...:``, from
    their bytes in a :func:`_line_table`: :data:`PAD` deleted, one decode, one split at the
    cuts (no Python step per line or per phone)."""
    text = table[start:end].tobytes().translate(None, _PAD_BYTE)
    return text.decode("utf-8", "surrogateescape").split(_CUT_CHAR)


def _recipients(table: np.ndarray, packing: Packing, start: int, end: int) -> tuple[str, ...]:
    """The phones of rows *start* to *end*, read back from their bytes in a :func:`_line_table`:
    one decode and one split at the commas (``:`` made one, :data:`PAD` deleted), or, if a
    phone holds a comma or a colon, the plan's phones.

    New strings, next to each other in memory, are much faster for the garbage collector,
    which visits every string a tuple holds, than the plan's, scattered over its rows.
    """
    text = table[start:end, 2:].tobytes().translate(_COLON_TO_COMMA, _PAD_BYTE)
    phones = text.decode("utf-8").split(",")
    if len(phones) == end - start + 1:  # no comma or colon in a phone
        return tuple(phones[:-1])
    return tuple(packing.phone[packing.row[start:end]].tolist())


def decode_params(params: Mapping[str, str]) -> pd.DataFrame:
    """The messages one request carries, as SMSC reads its ``phones``/``mes`` or ``list``.

    The inverse of the codec: ``list`` lines split at the first ``:`` (a ``sender|`` prefix
    before it), phones at ``,``, and ``\\n`` in a text turned back into a newline.

    Parameters
    ----------
    params : mapping
        A :attr:`Payload.params`.

    Returns
    -------
    pandas.DataFrame
        Columns ``phone``, ``text``, ``sender`` (``None`` when not set), one row per message.

    Examples
    --------
    >>> decode_params({"list": "Shop|7901,7902:a:b\\n7903:c\\\\nd", "sender": "X"})
      phone  text sender
    0  7901   a:b   Shop
    1  7902   a:b   Shop
    2  7903  c\\nd      X
    """
    default_sender = params.get("sender")
    if "list" in params:
        lines = pd.Series(params["list"].split("\n"), dtype=object)
        parts = lines.str.extract(_LIST_LINE)
        texts = parts["text"].str.replace("\\n", "\n", regex=False)
        senders = parts["sender"].astype(object)
        senders = senders.where(senders.notna(), default_sender)
        frame = pd.DataFrame(
            {"phone": parts["phones"].str.split(","), "text": texts, "sender": senders}
        )
    else:
        frame = pd.DataFrame(
            {
                "phone": [params["phones"].split(",")],
                "text": [params.get("mes", "")],  # hlr/ping send none
                "sender": [default_sender],
            }
        )
    frame = frame.explode("phone", ignore_index=True)
    return frame.astype(object).where(frame.notna(), None)
