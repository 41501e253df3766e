"""Generate the messy, realistic sample contact list in ``sample_data/``.

Writes ``contacts.csv`` (as Excel's Russian locale saves it: ``;`` delimiter, **cp1251**,
CRLF line ends) and ``contacts.xlsx`` (openpyxl; about a quarter of the phones are numeric
cells, so readers get Excel floats such as ``79161234567.0``) from the same rows.

The list is deterministic (fixed seed): running the script again rewrites identical rows.
What is in it, on purpose:

* Russian mobile numbers in the formats people type: ``8 (916) 123-45-67``,
  ``+7 916 1234567``, ``9161234567``, ``79161234567``, ``8-916-123-45-67``, ``007...``;
* numbers from Kazakhstan (+7 7xx), Belarus (+375), Uzbekistan (+998) and Germany (+49),
  some written with Russia's international prefix ``810``;
* invalid numbers: too short, with letters, landlines (495, 812), toll-free 8-800, empty,
  and one that a CSV round trip through Excel turned into ``7.92E+10``;
* exact duplicate rows and the same person twice with the phone written differently;
* two of the sandbox's magic numbers (``docs/sandbox.md``), so the demo shows an
  undeliverable and an unreachable number;
* Cyrillic names, a city, a discount (text cells, so templates read ``15``, not ``15.0``),
  a promo code and a date for templates, and a
  ready-made ``Сообщение`` column whose texts contain costly characters (``«»``, ``—``,
  a curly apostrophe) for the cost advisor.

Run ``python sample_data/make_sample_data.py`` (optionally with an output directory).
"""

from __future__ import annotations

import csv
import datetime
import random
import sys
from pathlib import Path

from openpyxl import Workbook

SEED = 20240315
PEOPLE = 300
COLUMNS = ["Имя", "Фамилия", "Телефон", "Город", "Скидка", "Промокод", "Дата", "Сообщение"]
CSV_ENCODING = "cp1251"
CSV_DELIMITER = ";"
FIXED_TIMESTAMP = datetime.datetime(2024, 3, 15, 9, 0, 0)

MALE_FIRST = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Иван",
    "Егор",
    "Роман",
    "Павел",
    "Олег",
]
FEMALE_FIRST = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
    "Светлана",
    "Юлия",
    "Дарья",
    "Ксения",
    "Полина",
    "Алёна",
    "Виктория",
    "Софья",
]
MALE_LAST = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
]
CITIES = [
    "Москва",
    "Санкт-Петербург",
    "Казань",
    "Новосибирск",
    "Екатеринбург",
    "Нижний Новгород",
    "Самара",
    "Краснодар",
    "Ростов-на-Дону",
    "Пермь",
]
DISCOUNTS = [5, 10, 15, 20, 25, 30]
DATES = ["31.03.2024", "15.04.2024", "30.04.2024"]
PROMO_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Russian mobile codes of MTS, MegaFon, Beeline and T2. 999 is left out: the sandbox's magic
# numbers (docs/sandbox.md) live in +7 999 000 00 xx and appear only on purpose, below.
RU_MOBILE_CODES = [
    "910",
    "911",
    "912",
    "915",
    "916",
    "917",
    "919",
    "920",
    "921",
    "925",
    "926",
    "927",
    "929",
    "903",
    "905",
    "906",
    "909",
    "960",
    "961",
    "962",
    "965",
    "900",
    "901",
    "902",
    "904",
    "950",
    "951",
    "952",
    "953",
    "958",
    "977",
    "985",
]
MESSAGES = [
    "«Весенняя распродажа» — скидки до 30% во всех магазинах!",
    "Ваш заказ готов к выдаче. Ждём вас!",
    "Spring sale: up to 30% off – this week only!",
    "It’s your birthday! Get a gift with code BDAY.",
    "Hello! Your order is ready for pickup.",
]


def ru_national(rng: random.Random) -> str:
    """Ten digits of a Russian mobile number (without the country code)."""
    return rng.choice(RU_MOBILE_CODES) + f"{rng.randrange(10**7):07d}"


def typed_ru(national: str, style: int) -> str:
    """A Russian mobile number the way a person (or a CRM export) writes it."""
    code, a, b, c = national[:3], national[3:6], national[6:8], national[8:]
    return [
        f"8 ({code}) {a}-{b}-{c}",
        f"+7 {code} {a}{b}{c}",
        national,
        "7" + national,
        f"8-{code}-{a}-{b}-{c}",
        f"+7({code}){a}-{b}-{c}",
        f"8{national}",
        f"007 {code} {a} {b} {c}",
    ][style]


FOREIGN_NUMBERS = [
    "+7 701 234 5678",  # Kazakhstan, Beeline KZ
    "+7 747 123 4567",  # Kazakhstan, Tele2 KZ
    "8 (705) 345-67-89",  # Kazakhstan written the Russian way
    "+375 29 123-45-67",  # Belarus, A1
    "810 375 33 765 43 21",  # Belarus through Russia's international prefix
    "+998 90 123 45 67",  # Uzbekistan
    "+998 93 765 43 21",  # Uzbekistan
    "+49 151 23456789",  # Germany
    "8104915765432109",  # Germany through 810
]
# Two of the sandbox's magic numbers, so the demo shows failed deliveries too:
# 79990000020 ends in status 20 (undeliverable), 79990000025 in 25 (unreachable).
SANDBOX_MAGIC_NUMBERS = ["+7 999 000-00-20", "8 (999) 000-00-25"]
INVALID_NUMBERS = [
    "916123",  # too short
    "8 916 12",  # too short
    "8916abc4567",  # letters
    "нет телефона",  # words
    "8 (495) 123-45-67",  # Moscow landline
    "+7 812 345-67-89",  # St Petersburg landline
    "8 800 555-35-35",  # toll-free
    "",  # empty
    "",  # empty
    "7.92E+10",  # a CSV saved by Excel from a numeric cell: digits lost
]


def person(rng: random.Random) -> dict[str, object]:
    """One contact with template fields; the phone is filled in by the caller."""
    female = rng.random() < 0.55
    last = rng.choice(MALE_LAST)
    if female:
        last = last + "а"
    return {
        "Имя": rng.choice(FEMALE_FIRST if female else MALE_FIRST),
        "Фамилия": last,
        "Город": rng.choice(CITIES),
        "Скидка": str(rng.choice(DISCOUNTS)),
        "Промокод": "SALE-" + "".join(rng.choice(PROMO_ALPHABET) for _ in range(5)),
        "Дата": rng.choice(DATES),
        "Сообщение": rng.choice(MESSAGES),
    }


def build_rows(seed: int = SEED) -> list[dict[str, object]]:
    """Build the contact rows, one dict per row keyed by ``COLUMNS``.

    About a quarter of the phones are ``int``: the XLSX writer stores them as numeric cells,
    the CSV writer writes their digits as Excel displays them.
    """
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for _ in range(PEOPLE):
        row = person(rng)
        national = ru_national(rng)
        if rng.random() < 0.25:
            row["Телефон"] = int("7" + national)
        else:
            row["Телефон"] = typed_ru(national, rng.randrange(8))
        rows.append(row)
    for number in FOREIGN_NUMBERS + SANDBOX_MAGIC_NUMBERS + INVALID_NUMBERS:
        rows.append({**person(rng), "Телефон": number})
    # The same person twice, the phone written another way (8... vs +7 ...).
    for source in rng.sample(rows[:PEOPLE], 6):
        digits = "".join(ch for ch in str(source["Телефон"]) if ch.isdigit())
        rows.append({**source, "Телефон": typed_ru(digits[-10:], rng.choice([0, 1, 4]))})
    # Exact duplicate rows, as when two exports are pasted together.
    rows.extend(dict(source) for source in rng.sample(rows[:PEOPLE], 8))
    rng.shuffle(rows)
    return rows


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    """Write *rows* as Excel's Russian locale saves CSV: ``;``, cp1251, CRLF."""
    with open(path, "w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in COLUMNS])


def write_xlsx(rows: list[dict[str, object]], path: Path) -> None:
    """Write *rows* to one sheet; ``int`` phones become numeric cells, the rest text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Контакты"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    workbook.properties.creator = "smsc_frames sample data"
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.save(path)


def main(argv: list[str] | None = None) -> int:
    """Write ``contacts.csv`` and ``contacts.xlsx`` into the given (or this) directory."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).resolve().parent
    target.mkdir(parents=True, exist_ok=True)
    rows = build_rows()
    write_csv(rows, target / "contacts.csv")
    write_xlsx(rows, target / "contacts.xlsx")
    print(f"wrote {len(rows)} contacts to {target / 'contacts.csv'} and {target / 'contacts.xlsx'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
