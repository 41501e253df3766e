"""notebooks/campaign.ipynb runs top to bottom offline, and sends exactly the expected messages.

The notebook is copied with the sample data into a temporary tree so that its journal and
report land there, then executed with nbclient (a real kernel, a per-cell timeout).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import nbformat
import openpyxl
import pytest
from nbclient import NotebookClient

from smsc_frames.contacts import read_contacts
from smsc_frames.plan import prepare
from smsc_frames.sandbox import Account
from smsc_frames.savings import apply_savings

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "campaign.ipynb"
SMSC_VARIABLES = ("SMSC_URL", "SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY", "SMSC_FRAMES_SEND")

pytestmark = pytest.mark.slow


def notebook_template() -> str:
    """The TEMPLATE the notebook uses, read from its source."""
    source = "\n".join(
        cell.source
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells
        if cell.cell_type == "code"
    )
    line = re.search(r"^TEMPLATE = (.+)$", source, flags=re.MULTILINE).group(1)
    return ast.literal_eval(line)


def expected_messages() -> Counter:
    """Each sendable (phone, text) of the campaign the notebook builds, once."""
    contacts = read_contacts(ROOT / "sample_data" / "contacts.xlsx")
    plan = apply_savings(prepare(contacts, phone="Телефон", template=notebook_template()))
    sendable = plan[plan["sendable"]]
    return Counter(zip(sendable["phone"], sendable["text"]))


def run_notebook(tmp_path: Path, monkeypatch, environment: dict[str, str], probe: str = ""):
    """Execute a copy of the notebook in *tmp_path* with exactly *environment* set, and
    *probe* (if any) as one more cell at its end, run in the same kernel."""
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    (tmp_path / "notebooks").mkdir()
    copy = tmp_path / "notebooks" / "campaign.ipynb"
    shutil.copy(NOTEBOOK, copy)
    for name in SMSC_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(copy, as_version=4)
    if probe:
        notebook.cells.append(nbformat.v4.new_code_cell(probe))
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(copy.parent)}},
    )
    client.execute()
    return notebook


def text_of(outputs) -> str:
    """Everything a cell printed or displayed, as text."""
    pieces = []
    for output in outputs:
        pieces.append(output.get("text", ""))
        data = output.get("data", {})
        pieces.append(data.get("text/html", "") or data.get("text/plain", ""))
    return "\n".join(pieces)


def test_the_committed_notebook_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_with_credentials_it_sends_exactly_the_campaign_to_that_server(
    make_sandbox, tmp_path, monkeypatch
):
    secret = "n0t-in-any-output-31415"
    sandbox = make_sandbox(accounts=[Account("demo", secret, balance="10000.00")])
    notebook = run_notebook(
        tmp_path,
        monkeypatch,
        {
            "SMSC_URL": sandbox.url,
            "SMSC_LOGIN": "demo",
            "SMSC_PASSWORD": secret,
            "SMSC_FRAMES_SEND": "1",
        },
    )
    assert secret not in nbformat.writes(notebook)  # the saved outputs never hold the password
    stored = Counter((message["phone"], message["text"]) for message in sandbox.messages())
    expected = expected_messages()
    assert stored == expected
    assert len(expected) > 250
    assert (tmp_path / "notebooks" / "campaign.journal").exists()

    book = openpyxl.load_workbook(tmp_path / "notebooks" / "campaign_results.xlsx")
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert summary["outcome: sent"] == sum(expected.values())
    assert summary["cost"] == pytest.approx(float(sum(m["cost"] for m in sandbox.messages())))
    sheet = book["results"]
    header = [cell.value for cell in sheet[1]]
    phones = [row[header.index("phone")] for row in sheet.iter_rows(min_row=2)]
    sent = {cell.value for cell in phones if cell.value is not None}
    assert sent >= {phone for phone, _ in expected}
    assert all(cell.data_type == "s" for cell in phones if cell.value is not None)


PROBE = """import json
print("STORED=" + json.dumps([[m["phone"], m["text"]] for m in sandbox.messages()]))"""


def test_without_credentials_it_starts_the_embedded_sandbox_and_says_so(tmp_path, monkeypatch):
    notebook = run_notebook(tmp_path, monkeypatch, {}, probe=PROBE)
    everything = "\n".join(text_of(cell.get("outputs", [])) for cell in notebook.cells)
    assert "SANDBOX MODE" in everything
    probed = text_of(notebook.cells.pop().outputs)  # what the embedded sandbox really stored
    stored = json.loads(probed.split("STORED=", 1)[1])
    assert Counter(map(tuple, stored)) == expected_messages()
    last = text_of(notebook.cells[-1].outputs)
    expected = expected_messages()
    match = re.search(r"The embedded sandbox stored (\d+) messages to (\d+) numbers", last)
    assert match, last[:500]
    assert int(match.group(1)) == sum(expected.values())
    assert int(match.group(2)) == len({phone for phone, _ in expected})
