"""Number -> operator (``mccmnc``) -> price per SMS part, from the packaged ``prices.csv``.

The longest matching digit prefix wins; the row with an empty prefix is the default. Prices
are exact decimal strings with at most two decimals, so every cost is exact.

Examples
--------
>>> table = PriceTable.load()
>>> route = table.route("79161234567")
>>> route.operator, route.mccmnc, route.price
('MTS', '25001', Decimal('5.45'))
>>> table.route("77011234567").country, table.route("999999").operator
('KZ', 'unknown')
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Route:
    """One row of the price table: where numbers with ``prefix`` go and what a part costs."""

    prefix: str
    country: str
    operator: str
    region: str
    mccmnc: str
    price: Decimal


#: Where e-mail recipients (``mail=1``) go: a flat illustrative price per message.
MAIL_ROUTE = Route(prefix="", country="", operator="e-mail", region="", mccmnc="",
                   price=Decimal("0.50"))  # fmt: skip
#: Where Telegram ``@nick`` / ``#ID`` recipients go: a flat illustrative price per message.
TELEGRAM_ROUTE = Route(prefix="", country="", operator="Telegram", region="", mccmnc="",
                       price=Decimal("1.00"))  # fmt: skip
#: Where a wrong-format number "goes": nowhere (empty country, operator, region and mccmnc).
UNROUTED = Route(prefix="", country="", operator="", region="", mccmnc="", price=Decimal("0.00"))


class PriceTable:
    """Longest-prefix lookup over :class:`Route` rows.

    Parameters
    ----------
    routes : iterable of Route
        Must include a default row with an empty prefix.
    """

    def __init__(self, routes: list[Route]) -> None:
        self._by_prefix = {route.prefix: route for route in routes}
        if "" not in self._by_prefix:
            raise ValueError("the price table needs a default row with an empty prefix")
        self._longest = max(len(prefix) for prefix in self._by_prefix)
        #: route by ``phone[:longest]``, which alone decides the route: bounded by the distinct
        #: leading digits seen (at most 10**longest keys), filled as numbers arrive.
        self._cache: dict[str, Route] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriceTable:
        """Read a price CSV (``prefix,country,operator,region,mccmnc,price``); default: packaged.

        Examples
        --------
        >>> len(PriceTable.load().routes()) > 50
        True
        """
        if path is None:
            text = resources.files("smsc_frames.sandbox").joinpath("prices.csv").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        routes = []
        for row in csv.DictReader(io.StringIO(text)):
            price = Decimal(row["price"])
            if price != price.quantize(CENT) or price < 0:
                raise ValueError(f"price {row['price']!r} must be >= 0 with at most 2 decimals")
            routes.append(
                Route(row["prefix"], row["country"], row["operator"], row["region"],
                      row["mccmnc"], price)
            )  # fmt: skip
        return cls(routes)

    def routes(self) -> list[Route]:
        """Every row, sorted by prefix."""
        return sorted(self._by_prefix.values(), key=lambda route: route.prefix)

    def route(self, phone: str) -> Route:
        """The route of *phone* (E.164 digits without ``+``)."""
        head = phone[: self._longest]
        route = self._cache.get(head)
        if route is None:
            route = self._cache[head] = self._lookup(head)
        return route

    def _lookup(self, phone: str) -> Route:
        for length in range(min(len(phone), self._longest), 0, -1):
            route = self._by_prefix.get(phone[:length])
            if route is not None:
                return route
        return self._by_prefix[""]
