"""Where the project's shipped data lives: ``data/`` in a checkout, ``siting.data`` when installed.

The design keeps catalogues and boundaries in the top-level ``data/`` folder; packaging maps
that folder to the ``siting.data`` package (see pyproject.toml), so both layouts resolve here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT_DATA = Path(__file__).resolve().parents[1] / "data"


def data_path(*parts: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("facilities", "kinds.yaml")``."""
    local = _CHECKOUT_DATA.joinpath(*parts)
    if local.exists():
        return local
    return Path(str(resources.files("siting.data").joinpath(*parts)))
