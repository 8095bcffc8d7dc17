"""Shared fixtures: the real project, and throwaway copies of the skeleton to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKELETON = ROOT / "src" / "reportbuild" / "skeleton"


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
