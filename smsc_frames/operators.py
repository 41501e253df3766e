"""Readable names for the mobile operators behind SMSC's ``mccmnc`` codes.

``mccmnc`` is the mobile country code (3 digits) followed by the network code, as SMSC reports it
for every number with ``op=1`` (``"25001"`` is MTS Russia). The table holds a few dozen well-known
networks of Russia and neighbouring countries, from the public ITU-T E.212 assignments; numbers
move between operators, so the name is SMSC's routing answer, not a property of the number.

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
