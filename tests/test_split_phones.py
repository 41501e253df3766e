"""prepare(split_phones=True): one row per number of a cell, each naming its contact."""

from __future__ import annotations

import pandas as pd

from smsc_frames.plan import COLUMNS, prepare


def contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {"Телефон": ["89161234567, 89031234567", "8 916 123-45-68 доб. 5", None,
                     "79161234569;79161234570;79161234571"],
         "Имя": ["Анна", "Борис", "Вера", "Глеб"]},
        index=[10, 11, 12, 13],
    )  # fmt: skip


def test_by_default_a_two_number_cell_is_one_unsendable_row_showing_both():
    plan = prepare(contacts(), phone="Телефон", template="Привет, {Имя}")
    assert list(plan.columns) == COLUMNS
    assert plan.index.tolist() == [10, 11, 12, 13]
    assert plan.loc[10, "problem"] == "phone: 2 numbers in one cell: 79161234567, 79031234567"
    assert not plan.loc[10, "sendable"]
    assert plan.loc[11, "phone_note"] == "extension 5 dropped"
    assert plan.loc[11, "sendable"]


def test_split_phones_sends_to_each_number_and_names_the_source_row():
    people = contacts()
    plan = prepare(people, phone="Телефон", template="Привет, {Имя}", split_phones=True)
    assert plan.index.tolist() == [10, "10#2", 11, 12, 13, "13#2", "13#3"]
    assert plan.index.is_unique
    assert list(plan.columns) == [*COLUMNS, "source_row"]
    assert plan["source_row"].tolist() == [10, 10, 11, 12, 13, 13, 13]
    assert plan["phone"].tolist() == ["79161234567", "79031234567", "79161234568", None,
                                      "79161234569", "79161234570", "79161234571"]  # fmt: skip
    assert plan.loc["10#2", "text"] == "Привет, Анна"
    joined = plan.join(people, on="source_row")
    assert joined.loc["13#3", "Имя"] == "Глеб"
    assert people.join(plan[["phone"]]).loc[10, "phone"] == "79161234567"


def test_split_phones_without_such_cells_keeps_the_index_as_it_is():
    people = pd.DataFrame({"p": ["89161234567", "89161234568"]}, index=["a", "b"])
    plan = prepare(people, phone="p", text="p", split_phones=True)
    assert plan.index.tolist() == ["a", "b"]
    assert plan["source_row"].tolist() == ["a", "b"]
