"""The sandbox driven the way SMSC's official libraries drive SMSC.

The request shapes are written here from the send.php page and from what is known of those
libraries, not copied from their code:

- the official **Python** library: GET with every parameter in the URL's query string, always
  ``fmt=1``, ``charset=utf-8`` and ``id=0``; ``send_sms`` asks ``cost=3``; it splits every
  answer on commas and reads the fields by position: a send ``<id>,<cnt>,<cost>,<balance>`` or
  ``0,-N``; ``get_sms_cost`` ``<cost>,<cnt>``; ``get_balance`` ``<balance>``; ``get_status``
  ``<status>,<last_timestamp>,<err>`` and, with ``all=1``, then ``<send_timestamp>,<phone>,
  <cost>,<sender_id>,<status_name>,<message>``, converting both timestamps with ``int()``.
- the official **JavaScript** library: a ``multipart/form-data`` POST (``FormData``) of the same
  parameters with ``fmt=3`` and ``charset=utf-8``, read as JSON; MMS, e-mail and calls attach
  their files in the same body.

Both run under every reading (docs/sandbox.md): the open points must not break either.
"""

from __future__ import annotations

import urllib.request
from datetime import datetime
from urllib.parse import quote

import pytest
import requests

from smsc_frames.sandbox import READINGS, SandboxSettings

FAST = dict(seconds_to_operator=0.05, seconds_to_final=0.15)


@pytest.fixture(params=list(READINGS))
def official(request, make_sandbox):
    """A sandbox under each reading."""
    return make_sandbox(settings=SandboxSettings(**FAST, reading=READINGS[request.param]))


class PythonLibraryShape:
    """Requests and parsing as the official Python library makes them (see the module doc)."""

    def __init__(self, url: str, login: str = "demo", password: str = "demo") -> None:
        self.url, self.login, self.password = url, login, password
        self.sent: list[str] = []

    def _cmd(self, cmd: str, arg: str) -> list[str]:
        url = (
            f"{self.url}/sys/{cmd}.php?login={quote(self.login)}&psw={quote(self.password)}"
            f"&fmt=1&charset=utf-8&{arg}"
        )
        self.sent.append(url)
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode("utf-8").split(",")

    def send_sms(self, phones: str, message: str, translit: int = 0, sms_id: int = 0,
                 sender: str = "", query: str = "") -> list[str]:  # fmt: skip
        arg = (
            f"cost=3&phones={quote(phones)}&mes={quote(message)}&translit={translit}&id={sms_id}"
            + (f"&sender={quote(sender)}" if sender else "")
            + (f"&{query}" if query else "")
        )
        return self._cmd("send", arg)

    def get_sms_cost(self, phones: str, message: str) -> list[str]:
        return self._cmd("send", f"phones={quote(phones)}&mes={quote(message)}&cost=1&id=0")

    def get_status(self, sms_id: int | str, phone: str, all_: int = 0) -> list[object]:
        ret: list[object] = list(
            self._cmd("status", f"phone={quote(phone)}&id={sms_id}&all={all_}")
        )
        if len(ret) > 1 and not str(ret[1]).startswith("-"):
            ret[1] = datetime.fromtimestamp(int(str(ret[1])))
            if all_ == 1:
                ret[3] = datetime.fromtimestamp(int(str(ret[3])))
                ret = ret[:9]  # status .. message: the fields the library reads
        return ret

    def get_balance(self) -> list[str]:
        return self._cmd("balance", "cur=0")


def test_python_library_send_cost_status_balance(official):
    lib = PythonLibraryShape(official.url)
    assert lib.get_balance() == ["1000.00"]
    assert lib.get_sms_cost("79161234567,79031234567", "Привет, мир") == ["10.70", "2"]
    sms_id, cnt, cost, balance = lib.send_sms("79161234567", "Привет мир", sender="SHOP")
    assert (sms_id, cnt, cost, balance) == ("1", "1", "5.45", "994.55")
    assert all("fmt=1&charset=utf-8" in url for url in lib.sent)
    assert all("&id=0" in url for url in lib.sent if "/send.php" in url)
    status, changed, err = lib.get_status(sms_id, "79161234567")
    assert status == "-1" and err == "0" and isinstance(changed, datetime)
    full = lib.get_status(sms_id, "79161234567", all_=1)
    assert full[0] == "-1" and full[2] == "0" and isinstance(full[3], datetime)
    assert full[4:9] == ["79161234567", "5.45", "SHOP", "Waiting to be sent", "Привет мир"]
    assert lib.get_balance() == ["994.55"]


def test_python_library_sees_every_message_get_its_own_id(official):
    lib = PythonLibraryShape(official.url)
    first = lib.send_sms("79161234567", "A")[0]
    second = lib.send_sms("79161234567", "B")[0]
    assert first != second and "0" not in (first, second)
    assert [m["id"] for m in official.messages()] == [first, second]


def test_python_library_reads_errors_as_0_minus_n(official):
    lib = PythonLibraryShape(official.url)
    assert lib.send_sms("79161234567", "Hi")[:2] == ["1", "1"]
    assert lib.send_sms("79161234567", "Hi") == ["0", "-9"]  # the same request within a minute
    assert lib.send_sms("12", "Hi") == ["2", "-7"]
    assert lib.send_sms("79161234567", "Hi", query="maxsms=0") == ["0", "-1"]
    assert PythonLibraryShape(official.url, password="wrong").get_balance() == ["0", "-2"]
    status = lib.get_status(99, "79161234567")
    assert status[0] == "-3" and isinstance(status[1], datetime)


def test_python_library_message_kinds(official):
    lib = PythonLibraryShape(official.url)
    assert lib.send_sms("79161234567", "", query="hlr=1")[:2] == ["1", "1"]
    binary = "050A0307056048656C6C6F2C20576F726C6421"
    assert lib.send_sms("79161234567", binary, query="bin=2")[:2] == ["2", "1"]
    assert lib.send_sms("79161234567", "Hello there", query="call=1")[:2] == ["3", "1"]


class JavaScriptLibraryShape:
    """Requests as the official JavaScript library makes them: FormData POSTs, ``fmt=3``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, cmd: str, params: dict[str, str], files: dict | None = None) -> dict:
        form = {"login": "demo", "psw": "demo", "fmt": "3", "charset": "utf-8", **params}
        parts = {name: (None, value) for name, value in form.items()}
        parts.update(files or {})
        answer = requests.post(f"{self.url}/sys/{cmd}.php", files=parts, timeout=10)
        assert answer.request.headers["Content-Type"].startswith("multipart/form-data")
        return answer.json()


def test_javascript_library_send_status_balance(official):
    lib = JavaScriptLibraryShape(official.url)
    reading = official.state.reading
    answer = lib.call("send", {"phones": "79161234567,12", "mes": "Привет", "cost": "3",
                               "op": "1", "id": "0"})  # fmt: skip
    assert str(answer["id"]) == "1" and str(answer["cnt"]) == "1"
    assert (answer["cost"], answer["balance"]) == ("5.45", "994.55")
    accepted, wrong = answer["phones"]
    assert (accepted["status"], accepted["error"]) == (reading.op1_status, reading.op1_error)
    assert (wrong["status"], wrong["error"]) == ("22", "249")
    status = lib.call("status", {"id": str(answer["id"]), "phone": "79161234567"})
    assert str(status["status"]) == "-1" and str(status.get("err", 0)) == "0"
    assert lib.call("balance", {}) == {"balance": "994.55"}


def test_javascript_library_attaches_files(official):
    lib = JavaScriptLibraryShape(official.url)
    photo = {"file0": ("photo.jpg", b"\xff\xd8" + b"j" * 2000, "image/jpeg")}
    answer = lib.call("send", {"phones": "79161234567", "mms": "1", "subj": "Photo"}, photo)
    assert str(answer["cnt"]) == "1"
    mail = {"mail": "1", "subj": "Invoice", "sender": "shop@example.org", "mes": "Attached"}
    pdf = {"file0": ("invoice.pdf", b"%PDF" + b"p" * 500, "application/pdf")}
    answer = lib.call("send", {"phones": "ann@example.org", **mail}, pdf)
    assert str(answer["cnt"]) == "1"
    assert [m["files"] for m in official.messages()] == [(2002,), (504,)]
