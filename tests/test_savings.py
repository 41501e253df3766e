"""The cost advisor: costly characters, GSM-7 replacements, parts and money saved."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_frames.savings import (
    GSM7,
    GSM7_REPLACEMENTS,
    LOOKALIKES,
    apply_savings,
    costly_characters,
    fix_text,
    preview_translit,
    suggest_savings,
)
from smsc_frames.segments import count_segments, transliterate

LATIN_LONG = "It’s our spring sale – up to 30% off «everything» in store… only this week!"
CYRILLIC = "«Весенняя распродажа» — скидки до 30% во всех магазинах!"


def make_plan(texts, phones=None, sendable=None, problem=None) -> pd.DataFrame:
    """A plan shaped like plan.prepare's, counted by segments.count_segments."""
    phones = phones or [f"7916{n:07d}" for n in range(len(texts))]
    counts = count_segments(texts)
    return pd.DataFrame(
        {
            "phone": phones,
            "text": texts,
            "sender": [None] * len(texts),
            "encoding": counts["encoding"].to_numpy(),
            "units": counts["units"].to_numpy(),
            "parts": counts["parts"].to_numpy(),
            "problem": problem or [None] * len(texts),
            "duplicate_of": [None] * len(texts),
            "sendable": sendable or [True] * len(texts),
        },
        index=pd.Index([100 + n for n in range(len(texts))], name="contact"),
    )


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("It’s ‘quoted’", "It's 'quoted'"),
        ("“Sale” «now» „here“", '"Sale" "now" "here"'),
        ("a — b – c − d", "a - b - c - d"),
        ("wait…", "wait..."),
        ("10\u00a0000\u202fRUB\tnow", "10 000 RUB now"),
        ("zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
        ("Cаfé Оpen", "Café Open"),  # Cyrillic а and О inside Latin words
        ("Привет, Pаvel", "Привет, Pavel"),  # the Cyrillic word stays, the Latin one is fixed
        ("Скидка", "Скидка"),
        ("Crème brûlée", "Crème brulée"),  # è and é are GSM-7, û is not
    ],
)
def test_fix_text_replaces_costly_characters(text, fixed):
    assert fix_text(text) == fixed


def test_fix_text_without_growing_keeps_ucs2_text_short():
    assert fix_text("Скидка… «да»", growing=False) == 'Скидка… "да"'


def test_replacement_tables_map_into_gsm7():
    for char, replacement in {**GSM7_REPLACEMENTS, **LOOKALIKES}.items():
        assert char not in GSM7
        assert set(replacement) <= GSM7, char


def test_invisible_characters_are_described_readably():
    plan = make_plan(["No\u00a0break\u200b space – " + "x" * 70])
    described = suggest_savings(plan).loc[0, "costly_characters"]
    assert "'\\xa0' → ' ' ×1" in described and "'\\u200b' → '' ×1" in described


def test_costly_characters_lists_reasons_and_replacements():
    table = costly_characters(["It’s 5€ 😀", "Price 5€ — now", "Скидка «5»", "plain"])
    by_text = {text: group.set_index("char") for text, group in table.groupby("text")}
    assert set(by_text) == {"It’s 5€ 😀", "Price 5€ — now", "Скидка «5»"}
    emoji_text = by_text["It’s 5€ 😀"]
    assert emoji_text.loc["’", "replacement"] == "'"
    assert emoji_text.loc["😀", "replacement"] is None
    assert emoji_text.loc["😀", "codepoint"] == "U+1F600"
    assert "€" not in emoji_text.index  # the emoji keeps it UCS-2: € costs one unit there
    dash_text = by_text["Price 5€ — now"]
    assert dash_text.loc["—", "name"] == "EM DASH"
    assert dash_text.loc["€", "reason"] == "takes 2 septets"
    assert by_text["Скидка «5»"].loc["«", "count"] == 1
    assert "С" not in by_text["Скидка «5»"].index  # Cyrillic letters are not listed one by one


def test_suggest_savings_counts_parts_and_sms_over_the_campaign():
    plan = make_plan(
        [LATIN_LONG] * 3 + [CYRILLIC] * 2 + ["Plain text"] + [LATIN_LONG],
        sendable=[True] * 6 + [False],
    )
    savings = suggest_savings(plan).set_index("text")
    latin = savings.loc[LATIN_LONG]
    assert latin["recipients"] == 3  # the unsendable row is not counted
    assert (latin["encoding"], latin["parts"]) == ("ucs2", 2)
    assert (latin["suggested_encoding"], latin["suggested_parts"]) == ("gsm7", 1)
    assert latin["suggested_text"] == fix_text(LATIN_LONG)
    assert latin["sms_saved"] == 3
    assert "’ → ' ×1" in latin["costly_characters"]
    assert "… → ... ×1" in latin["costly_characters"]
    assert latin["money_saved"] is None

    cyrillic = savings.loc[CYRILLIC]
    assert cyrillic["foreign_letters"] > 0
    assert cyrillic["sms_saved"] == 0
    assert cyrillic["suggested_text"] == CYRILLIC  # no saving: nothing is suggested
    assert savings.loc["Plain text", "costly_characters"] == ""
    assert list(suggest_savings(plan)["text"])[0] == LATIN_LONG  # most saved first


def test_ucs2_text_only_gets_replacements_that_do_not_grow_it():
    # 69 letters + an ellipsis fit one UCS-2 part; "..." would need two.
    short = "я" * 69 + "…"
    # 70 letters + a zero-width space need two parts; removing it saves one.
    invisible = "я" * 70 + "\u200b"
    savings = suggest_savings(make_plan([short, invisible])).set_index("text")
    assert savings.loc[short, "suggested_text"] == short
    assert savings.loc[short, "suggested_parts"] == 1
    assert savings.loc[invisible, "suggested_text"] == "я" * 70
    assert (savings.loc[invisible, "parts"], savings.loc[invisible, "suggested_parts"]) == (2, 1)


def test_money_saved_uses_each_recipients_price_per_part():
    plan = make_plan(
        [LATIN_LONG, LATIN_LONG, "Hi"], phones=["79161234567", "77011234567", "79031234567"]
    )
    quote_table = pd.DataFrame(
        {
            "phone": plan["phone"],
            "parts": plan["parts"],
            "cost": [Decimal("3.80"), Decimal("12.40"), Decimal("1.90")],  # 1.90 and 6.20/part
        },
        index=plan.index,
    )
    savings = suggest_savings(plan, quote=quote_table).set_index("text")
    assert savings.loc[LATIN_LONG, "money_saved"] == Decimal("8.10")
    assert savings.loc["Hi", "money_saved"] == Decimal("0.00")


def test_preview_translit_estimates_cyrillic_savings():
    long_cyrillic = "Привет! Скидка 20% на всё до воскресенья, успейте зайти к нам!" * 2
    preview = preview_translit(make_plan([long_cyrillic, "Hello"])).set_index("text")
    row = preview.loc[long_cyrillic]
    assert row["translit_text"] == transliterate(long_cyrillic, 1)
    expected = count_segments([transliterate(long_cyrillic, 1)]).iloc[0]
    assert (row["translit_encoding"], row["translit_parts"]) == ("gsm7", expected["parts"])
    assert row["sms_saved"] == row["parts"] - expected["parts"] > 0
    assert preview.loc["Hello", "sms_saved"] == 0


def test_apply_savings_returns_a_new_recounted_plan():
    plan = make_plan([LATIN_LONG, CYRILLIC, "Hi"])
    plan.attrs["marker"] = "kept"
    fixed = apply_savings(plan)
    assert fixed.loc[100, "text"] == fix_text(LATIN_LONG)
    assert (fixed.loc[100, "encoding"], fixed.loc[100, "parts"]) == ("gsm7", 1)
    assert fixed.loc[101, "text"] == CYRILLIC
    assert fixed.attrs["marker"] == "kept"
    assert list(fixed.index) == list(plan.index)
    assert plan.loc[100, "text"] == LATIN_LONG and plan.loc[100, "parts"] == 2


def test_apply_savings_with_accepted_suggestions_only():
    other = "Don’t miss our sale – " + "x" * 60
    plan = make_plan([LATIN_LONG, other])
    savings = suggest_savings(plan)
    fixed = apply_savings(plan, savings[savings["text"] == other])
    assert fixed.loc[100, "text"] == LATIN_LONG
    assert fixed.loc[101, "text"] == fix_text(other)


def test_texts_that_become_equal_become_duplicates():
    curly, straight = "It’s on – " + "x" * 70, "It's on - " + "x" * 70
    plan = make_plan([curly, straight], phones=["79161234567", "79161234567"])
    fixed = apply_savings(plan)
    assert fixed.loc[101, "duplicate_of"] == 100
    assert fixed["sendable"].tolist() == [True, False]


GSM_PIECES = st.sampled_from(["a", "Z", " ", "5", "€", "{", "\n", "é"])
COSTLY_PIECES = st.sampled_from(list(GSM7_REPLACEMENTS) + ["о", "я", "😀", "€"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(GSM_PIECES, COSTLY_PIECES), max_size=400).map("".join))
def test_suggestions_never_cost_more_and_count_right(text):
    savings = suggest_savings(make_plan([text])).iloc[0]
    assert savings["suggested_parts"] <= savings["parts"]
    recount = count_segments([savings["suggested_text"]]).iloc[0]
    assert recount["parts"] == savings["suggested_parts"]
    assert recount["encoding"] == savings["suggested_encoding"]
    if savings["suggested_text"] != text:
        assert savings["sms_saved"] > 0


def test_apply_savings_agrees_with_preparing_the_fixed_texts():
    from smsc_frames.plan import prepare

    contacts = pd.DataFrame(
        {
            "phone": [
                "+7 916 123-45-67",
                "8 916 123 45 67",
                "+7 903 765-43-21",
                "12",
                "",
                "+7 701 234 5678",
            ],
            "text": [
                LATIN_LONG,
                LATIN_LONG.replace("’", "'"),
                CYRILLIC,
                LATIN_LONG,
                "Hi",
                "Emoji 😀 – " + "x" * 70,
            ],
        },
        index=["a", "b", "c", "d", "e", "f"],
    )
    plan = prepare(contacts, phone="phone", text="text", maxsms=3)
    fixed = apply_savings(plan)
    expected = prepare(contacts.assign(text=fixed["text"]), phone="phone", text="text", maxsms=3)
    columns = ["text", "encoding", "units", "parts", "problem", "duplicate_of", "sendable"]
    pd.testing.assert_frame_equal(fixed[columns], expected[columns], check_dtype=False)
    assert fixed.loc["b", "duplicate_of"] == "a"  # the texts became equal
    assert fixed.attrs["options"] == plan.attrs["options"]


def test_plan_options_are_used_to_count():
    from smsc_frames.plan import prepare

    long_latin = "Don’t miss it – " + "x" * 300
    plan = prepare(
        pd.DataFrame({"phone": ["+79161234567"], "text": [long_latin]}),
        phone="phone",
        text="text",
        maxsms=2,
    )
    row = suggest_savings(plan).iloc[0]
    assert (row["parts"], row["suggested_parts"]) == (2, 2)  # maxsms caps both counts
    assert row["sms_saved"] == 0
