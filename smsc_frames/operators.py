"""Readable names for the mobile operators behind SMSC's ``mccmnc`` codes.

``mccmnc`` is the mobile country code (3 digits) followed by the network code, as SMSC reports it
for every number with ``op=1`` (``"25001"`` is MTS Russia; a 3-digit network code makes six digits,
as in ``"310260"``). The table holds the well-known networks of Russia and neighbouring countries,
of the larger European markets and of the United States as the sandbox routes them, from the
public ITU-T E.212 assignments; numbers move between operators, so the name is SMSC's routing
answer, not a property of the number.

Examples
--------
>>> import pandas as pd
>>> operator_names(pd.Series(["25001", "25099", "99999"])).tolist()
['MTS', 'Beeline', '99999']
"""

from __future__ import annotations

import pandas as pd

OPERATOR_NAMES: dict[str, str] = {
    # Russia (MCC 250)
    "25001": "MTS",
    "25002": "MegaFon",
    "25003": "Rostelecom",
    "25011": "Yota",
    "25020": "T2",
    "25027": "Letai",
    "25032": "Win Mobile",
    "25033": "Sevmobile",
    "25034": "Krymtelecom",
    "25035": "Motiv",
    "25039": "Rostelecom",
    "25050": "SberMobile",
    "25062": "T-Mobile (Tinkoff)",
    "25099": "Beeline",
    # Kazakhstan (MCC 401)
    "40101": "Beeline Kazakhstan",
    "40102": "Kcell",
    "40107": "Altel",
    "40177": "Tele2 Kazakhstan",
    # Belarus (MCC 257)
    "25701": "A1 Belarus",
    "25702": "MTS Belarus",
    "25704": "life:) Belarus",
    # Ukraine (MCC 255)
    "25501": "Vodafone Ukraine",
    "25503": "Kyivstar",
    "25506": "lifecell",
    # Uzbekistan (MCC 434)
    "43404": "Beeline Uzbekistan",
    "43405": "Ucell",
    "43406": "Perfectum Mobile",
    "43407": "Mobiuz",
    # Kyrgyzstan (MCC 437)
    "43701": "Beeline Kyrgyzstan",
    "43705": "MegaCom",
    "43709": "O!",
    # Tajikistan (MCC 436)
    "43601": "Tcell",
    "43603": "MegaFon Tajikistan",
    "43604": "Babilon-Mobile",
    "43605": "ZET-Mobile",
    # Armenia (MCC 283)
    "28301": "Team (Beeline Armenia)",
    "28305": "Viva Armenia",
    "28310": "Ucom",
    # Azerbaijan (MCC 400)
    "40001": "Azercell",
    "40002": "Bakcell",
    "40004": "Nar",
    # Georgia (MCC 282)
    "28201": "Silknet (Geocell)",
    "28202": "Magti",
    "28204": "Cellfie",
    # Moldova (MCC 259)
    "25901": "Orange Moldova",
    "25902": "Moldcell",
    # Uzbekistan, state operator (MCC 434)
    "43408": "Uzmobile",
    # Germany (MCC 262)
    "26201": "Telekom",
    "26202": "Vodafone DE",
    "26203": "O2 DE (Telefónica)",
    "26207": "O2 DE (Telefónica)",
    "26223": "1&1",
    # United Kingdom (MCC 234)
    "23410": "O2 UK",
    "23415": "Vodafone UK",
    "23420": "Three UK",
    "23430": "EE",
    "23433": "EE",
    # France (MCC 208)
    "20801": "Orange France",
    "20810": "SFR",
    "20815": "Free Mobile",
    "20820": "Bouygues Telecom",
    # Italy (MCC 222)
    "22201": "TIM",
    "22210": "Vodafone Italia",
    "22250": "Iliad Italia",
    "22288": "WindTre",
    # Spain (MCC 214)
    "21401": "Vodafone Spain",
    "21403": "Orange Spain",
    "21404": "Yoigo",
    "21407": "Movistar",
    # Portugal (MCC 268)
    "26801": "Vodafone Portugal",
    "26803": "NOS",
    "26806": "MEO",
    # Netherlands (MCC 204)
    "20404": "Vodafone NL",
    "20408": "KPN",
    "20416": "Odido (T-Mobile NL)",
    # Belgium (MCC 206)
    "20601": "Proximus",
    "20610": "Orange Belgium",
    "20620": "BASE",
    # Switzerland (MCC 228)
    "22801": "Swisscom",
    "22802": "Sunrise",
    "22803": "Salt",
    # Austria (MCC 232)
    "23201": "A1 Austria",
    "23203": "Magenta Telekom",
    "23210": "Drei Austria",
    # Poland (MCC 260)
    "26001": "Plus",
    "26002": "T-Mobile Poland",
    "26003": "Orange Polska",
    "26006": "Play",
    # Czech Republic (MCC 230)
    "23001": "T-Mobile CZ",
    "23002": "O2 CZ",
    "23003": "Vodafone CZ",
    # Sweden (MCC 240)
    "24001": "Telia Sweden",
    "24002": "Tre Sweden",
    "24007": "Tele2 Sweden",
    "24008": "Telenor Sweden",
    # Norway (MCC 242)
    "24201": "Telenor Norway",
    "24202": "Telia Norway",
    # Denmark (MCC 238)
    "23801": "TDC",
    "23802": "Telenor Denmark",
    "23806": "3 Denmark",
    "23820": "Telia Denmark",
    # Finland (MCC 244)
    "24405": "Elisa",
    "24412": "DNA",
    "24491": "Telia Finland",
    # Estonia (MCC 248)
    "24801": "Telia Estonia",
    "24802": "Elisa Estonia",
    "24803": "Tele2 Estonia",
    # Latvia (MCC 247)
    "24701": "LMT",
    "24702": "Tele2 Latvia",
    "24705": "Bite Latvia",
    # Lithuania (MCC 246)
    "24601": "Telia Lithuania",
    "24602": "Bite Lithuania",
    "24603": "Tele2 Lithuania",
    # Turkey (MCC 286)
    "28601": "Turkcell",
    "28602": "Vodafone Turkey",
    "28603": "Türk Telekom",
    # Serbia (MCC 220)
    "22001": "Yettel Serbia",
    "22003": "mts Serbia",
    "22005": "A1 Serbia",
    # Romania (MCC 226)
    "22601": "Vodafone Romania",
    "22603": "Telekom Romania",
    "22605": "Digi Romania",
    "22610": "Orange Romania",
    # Bulgaria (MCC 284)
    "28401": "A1 Bulgaria",
    "28403": "Vivacom",
    "28405": "Yettel Bulgaria",
    # Greece (MCC 202)
    "20201": "Cosmote",
    "20205": "Vodafone Greece",
    "20210": "Nova Greece",
    # Hungary (MCC 216)
    "21601": "Yettel Hungary",
    "21630": "Telekom Hungary",
    "21670": "One Hungary (Vodafone)",
    # Ireland (MCC 272)
    "27201": "Vodafone Ireland",
    "27202": "Three Ireland",
    # United States (MCC 310)
    "310260": "T-Mobile US",
}
"""``mccmnc`` (MCC + MNC digits, as SMSC writes it) -> the operator's common name."""


def operator_names(mccmnc: pd.Series) -> pd.Series:
    """Name the operator of each ``mccmnc`` code; an unknown code is shown as the code itself.

    Parameters
    ----------
    mccmnc : pandas.Series
        Codes as SMSC sends them (``"25001"``); integers are accepted, missing stays missing.

    Returns
    -------
    pandas.Series
        ``str`` names on the input's index.

    Examples
    --------
    >>> import pandas as pd
    >>> operator_names(pd.Series({"ann": "25002", "bob": None, "eve": 40177})).to_dict()
    {'ann': 'MegaFon', 'bob': nan, 'eve': 'Tele2 Kazakhstan'}
    """
    codes = mccmnc.astype("str")
    return codes.map(OPERATOR_NAMES).fillna(codes).astype("str")
