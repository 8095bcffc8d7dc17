"""No dead code in src/: vulture finds every unused function, class, variable, attribute and
import; names used where it cannot see them are listed, with the reason, in vulture_whitelist.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src" / "reportbuild"
WHITELIST = TESTS / "vulture_whitelist.py"


def _vulture(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vulture", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_src_has_no_dead_code():
    res = _vulture(SRC, WHITELIST)
    assert res.returncode == 0, (
        "dead code (delete it, or list the name in tests/vulture_whitelist.py with why it is "
        f"used):\n{res.stdout}{res.stderr}"
    )


def test_the_scan_finds_an_unused_function(tmp_path):
    (tmp_path / "mod.py").write_text(
        "def used():\n    return 1\n\n\ndef unused():\n    pass\n\n\nused()\n"
    )
    res = _vulture(tmp_path / "mod.py", WHITELIST)
    assert res.returncode != 0 and "unused function 'unused'" in res.stdout, res.stdout
    assert "'used'" not in res.stdout
