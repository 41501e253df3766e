"""Where smsc_frames keeps a campaign's journal by default: per user, per account, per campaign.

A journal beside the results file is lost the moment a campaign is re-run from another folder
or with another ``--out``. Request ids are deterministic (a campaign id derived from the
requests' contents), so the default journal lives in a per-user state directory, keyed by the
account's non-secret identity and the campaign id: the same campaign for the same account finds
the same journal wherever it is run from.

``$SMSC_FRAMES_STATE_DIR``, else ``$XDG_STATE_HOME/smsc-frames``, else
``~/.local/state/smsc-frames``; directories are created ``0o700``.

Examples
--------
>>> path = default_journal("https://smsc.ru login:shop", "3f2a9c41d0e7",
...                        environ={"SMSC_FRAMES_STATE_DIR": "/tmp/state"}, create=False)
>>> str(path.parent.parent), path.name
('/tmp/state/journals', '3f2a9c41d0e7.journal')
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from smsc_frames.errors import ValidationError


def state_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The per-user state directory of smsc_frames (not created here)."""
    if environ.get("SMSC_FRAMES_STATE_DIR"):
        return Path(environ["SMSC_FRAMES_STATE_DIR"]).expanduser()
    base = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser() / "smsc-frames"


def default_journal(
    identity: str,
    campaign_id: str,
    *,
    environ: Mapping[str, str] = os.environ,
    create: bool = True,
) -> Path:
    """The default journal of *campaign_id* for the account *identity* (a client's identity).

    The account directory is named by a hash of the identity (server and login, or a hash of
    the API key: never a secret in any case).

    Raises
    ------
    ValidationError
        With *create*, when the folder cannot be created or written: it is named, with the
        variable that moves it.
    """
    account = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    folder = state_dir(environ) / "journals" / account
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            why = None if os.access(folder, os.W_OK | os.X_OK) else "no permission to write"
        except OSError as error:
            why = error.strerror or str(error)
        if why:
            raise ValidationError(
                "SMSC_FRAMES_STATE_DIR",
                f"the journal folder {folder} cannot be made or written ({why}): set "
                "SMSC_FRAMES_STATE_DIR to a folder you can write, or pass journal=...",
                None,
            )
    return folder / f"{campaign_id}.journal"
