"""The shortcuts payloads takes on big plans give what the plain ways give.

Each shortcut (renumbering codes without a hash table, ordering rows without sorting them,
counting escaped bytes on whichever kind is rarer) is compared with the plain computation it
replaces, on inputs that take it and inputs that do not.
"""

from __future__ import annotations

import urllib.parse

import numpy as np
import pandas as pd
import pytest
from test_payloads import make_plan, phone

from smsc_frames.batching import first_appearance_codes, group_table, order_rows, sendable_rows
from smsc_frames.formencoding import chunk_urlencoded_lengths, utf8_chunks
from smsc_frames.wireformat import distinct_senders, distinct_texts


@pytest.mark.parametrize("seed", range(6))
def test_codes_renumbered_by_first_appearance_are_pandas_factorize_of_them(seed):
    rng = np.random.default_rng(seed)
    values = np.array([f"v{n}" for n in range(int(rng.integers(1, 50)))], dtype=object)
    codes = np.concatenate([np.arange(len(values)), rng.integers(0, len(values), 200)])
    if seed % 3 == 2:  # a code that never occurs, or a missing one: pandas does it
        codes = np.where(codes == 0, -1 if seed == 2 else 1, codes)
    codes = codes[rng.permutation(len(codes))]

    new_codes, old_codes = first_appearance_codes(codes, len(values))

    want_codes, want_old_codes = pd.factorize(codes)
    assert new_codes.tolist() == want_codes.tolist()
    assert old_codes.tolist() == want_old_codes.tolist()


def packing_order(rows):
    plan = make_plan(rows)
    sendable = sendable_rows(plan)
    texts = distinct_texts(sendable.text_values)
    groups, group = group_table(sendable, texts, distinct_senders(sendable.sender_values))
    packing = order_rows(sendable, groups, group)
    return plan, packing


@pytest.mark.parametrize("seed", range(4))
def test_rows_of_distinct_phones_are_ordered_by_group_size_then_phone(seed):
    """One layer, no plain text: the rows in order of their group's size (biggest first,
    ties by the group's first phone), then by phone, with every row in layer 0."""
    rng = np.random.default_rng(seed)
    numbers = rng.permutation(300)
    rows = [(phone(int(n)), f"text {int(rng.integers(0, 40)) ** 2 % 37}", None) for n in numbers]
    plan, packing = packing_order(rows)

    frame = plan.assign(size=plan.groupby("text")["phone"].transform("size"))
    first_phone = frame.groupby("text")["phone"].transform("min")
    want = frame.assign(first=first_phone).sort_values(
        ["size", "first", "phone"], ascending=[False, True, True]
    )
    assert plan["phone"].to_numpy()[packing.position].tolist() == want["phone"].tolist()
    assert not packing.layer.any() and not packing.plain.any()
    starts = np.flatnonzero(packing.segment_first)
    assert plan["text"].to_numpy()[packing.position[starts]].tolist() == list(
        dict.fromkeys(want["text"])
    )


def test_one_text_for_every_row_keeps_the_phones_order():
    rows = [(phone(n), "Sale", None) for n in (5, 3, 9, 1)]
    plan, packing = packing_order(rows)
    assert packing.position.tolist() == [3, 1, 0, 2]
    assert packing.segment_first.tolist() == [True, False, False, False]


@pytest.mark.parametrize(
    "alphabet",
    [
        list("abcXYZ019 _.-~") + list("%&=+:,;|\n\\") + ["я", "\x00"],  # mostly ASCII
        ["я", "ж", "€", "😀", "\u00a0", " ", "a", "%", "\x00"],  # mostly not
    ],
    ids=["ascii", "cyrillic-emoji"],
)
def test_urlencoded_lengths_of_a_chunk_match_quote_plus_whichever_bytes_are_counted(alphabet):
    rng = np.random.default_rng(7)
    values = ["".join(rng.choice(alphabet, size=int(rng.integers(0, 60)))) for _ in range(400)]
    [chunk] = utf8_chunks(values)
    mostly_ascii = 3 * len(chunk.encoded) < 4 * chunk.characters
    assert mostly_ascii == (alphabet[0] == "a")
    got = chunk_urlencoded_lengths(chunk).tolist()
    assert got == [len(urllib.parse.quote_plus(value)) for value in values]
    assert chunk.byte_lengths.tolist() == [len(value.encode()) for value in values]
