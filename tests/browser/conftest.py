"""A JupyterLab server and a headless Chromium driven by Playwright, for the panel as people see it.

One JupyterLab server per session (its own config, data, runtime and IPython folders, a token,
the app exposed as ``window.jupyterapp``), one Chromium per session, a fresh page per test.
The kernels import smsc_frames from this checkout (``PYTHONPATH``) and talk to sandboxes
started by the tests, so the tests read the sandbox's store directly.

Chromium is Debian's ``chromium`` package (``playwright install`` cannot download browsers
here): ``$SMSC_FRAMES_CHROMIUM`` or ``chromium`` on ``PATH``. Without it, or without the
``playwright`` / ``jupyterlab`` packages, the tests are skipped with the reason; in CI
(``CI=true``) they fail instead, so a CI run never passes without them.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium refuses to run as root with its sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SHOTS = Path(os.environ.get("SMSC_FRAMES_SHOTS", "/tmp/panel-shots"))


def missing_requirement() -> str | None:
    """Why the browser tests cannot run here, or None."""
    chromium = os.environ.get("SMSC_FRAMES_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        return "no chromium (apt-get install chromium, or set SMSC_FRAMES_CHROMIUM)"
    for module in ("playwright", "jupyterlab"):
        try:
            __import__(module)
        except ImportError:
            return f"the {module} package is not installed (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing_requirement()
    if reason is None:
        return
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(str(item.fspath)).parents]
    if os.environ.get("CI") == "true" and browser_items:
        raise pytest.UsageError(f"browser tests cannot run in CI: {reason}")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its base URL, token and root folder."""

    url: str
    token: str
    root: Path

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions").json():
            self.api("DELETE", f"/api/sessions/{session['id']}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("jupyter")
    root = home / "root"
    root.mkdir()
    token = secrets.token_hex(16)
    port = free_port()
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("SMSC_")
    }
    environment.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        SMSC_FRAMES_STATE_DIR=str(home / "state"),
        SMSC_FRAMES_CACHE_DIR=str(home / "cache"),
    )
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--allow-root",
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    running = Lab(f"http://127.0.0.1:{port}", token, root)
    deadline = time.monotonic() + 60
    while True:
        try:
            if running.api("GET", "/api/status").ok:
                break
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log.close()
            raise RuntimeError("JupyterLab did not start:\n" + (home / "lab.log").read_text())
        time.sleep(0.3)
    yield running
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("SMSC_FRAMES_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()
    lab.shutdown_kernels()
