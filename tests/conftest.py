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
def built_once(tmp_path_factory) -> Path:
    """The skeleton built once per test process (SOURCE_DATE_EPOCH=1700000000), outputs and
    cache: never edit it; tests that edit or build again take a copy (`built_project`)."""
    from reportbuild.build import BuildOptions, run_build

    root = tmp_path_factory.mktemp("built-once") / "proj"
    shutil.copytree(SKELETON, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        run_build(root, BuildOptions(verbosity=0))
    return root


@pytest.fixture
def built_project(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built skeleton (its outputs and cache up to date), to edit in a test."""
    dest = tmp_path / "proj"
    shutil.copytree(built_once, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def real_report():
    """The city-commercial-bank report, loaded once."""
    from reportbuild.load import load_project

    return load_project(ROOT)
