"""``send.php`` as SMSC's JSON interface: POST ``{url}/rest/send/`` with the parameters as JSON.

SMSC's send page: "to send SMS with the parameters passed in JSON in the request body, call
https://smsc.ru/rest/send/ with POST". The parameters and the answers are those of
``send.php``; the page names no JSON address for ``status.php`` or ``balance.php``, so those go
as form POSTs, exactly as :class:`~smsc_frames.transport.form.FormTransport` sends them.

Examples
--------
>>> from smsc_frames.transport import Credentials
>>> transport = JsonTransport("https://smsc.ru", Credentials(apikey="k-123"))
>>> address, body, headers = transport._request("send.php", {"phones": "79161234567",
...                                                          "mes": "Привет", "fmt": "3"})
>>> address, json.loads(body)["mes"], headers["Content-Type"]
('https://smsc.ru/rest/send/', 'Привет', 'application/json; charset=utf-8')
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from smsc_frames.transport.form import FormTransport

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
REST_ADDRESSES = {"send.php": "/rest/send/"}
"""The endpoints SMSC's page gives a JSON address for."""


class JsonTransport(FormTransport):
    """Like :class:`FormTransport`, with ``send.php`` posted as JSON to ``/rest/send/``."""

    def __repr__(self) -> str:
        return f"JsonTransport(url={self.url!r}, {self.credentials!r})"

    def _request(self, endpoint: str, form: dict[str, str]) -> tuple[str, bytes, Mapping[str, str]]:
        if endpoint not in REST_ADDRESSES:
            return super()._request(endpoint, form)
        body = json.dumps(form, ensure_ascii=False).encode("utf-8")
        return f"{self.url}{REST_ADDRESSES[endpoint]}", body, JSON_HEADERS
