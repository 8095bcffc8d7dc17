"""Shared fixtures: the real project, and throwaway copies of the skeleton to break."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"

# The per-machine cache (font widths, compiled templates) of the tests is their own, never the
# user's ~/.cache/reportbuild: a test run neither reads a stale one nor leaves files behind.
# Set before anything is imported, so the builds the tests start in subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="reportbuild-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the minimal report made by `reportbuild new`, to edit in a test."""
    dest = tmp_path / "proj"
    shutil.copytree(SKELETON, dest)
    return dest


@pytest.fixture(scope="session")
def real_report():
    """The city-commercial-bank report, loaded once."""
    from reportbuild.load import load_project

    return load_project(ROOT)
