"""The brand as brand_yml reads it, kept in the machine's cache: read once for every report of
one brand, read again when the file changes, and checked again (its logo inside the project) on
every load."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportbuild import brand as brand_module
from reportbuild.brand import load_brand
from reportbuild.commands.new import new_project
from reportbuild.errors import SourceError


@pytest.fixture
def counted(monkeypatch, tmp_path) -> list[Path]:
    """Each brand file brand_yml parses, with a machine cache of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    parsed: list[Path] = []
    raw = brand_module._raw  # noqa: SLF001

    def counting(path, *args):
        parsed.append(path)
        return raw(path, *args)

    monkeypatch.setattr(brand_module, "_raw", counting)
    return parsed


def _kept(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "machine" / "reportbuild" / brand_module.BRANDS).glob("*.json"))


def test_a_brand_is_parsed_once_for_every_report_of_it(tmp_path, counted):
    root = new_project(tmp_path / "report")
    first = load_brand(root)
    assert load_brand(root) == first and len(counted) == 1
    # another report of the same brand file: read from the machine's cache
    other = new_project(tmp_path / "other")
    assert load_brand(other).primary == first.primary and len(counted) == 1
    # an edit is read
    path = root / "styles" / "_brand.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('ink: "#0E2A47"', 'ink: "#102030"'), encoding="utf-8")
    assert load_brand(root).primary == "#102030" and len(counted) == 2
    assert load_brand(other).primary == first.primary and len(counted) == 2
    # a damaged entry is read again from the file
    for kept in _kept(tmp_path):
        kept.write_text("{", encoding="utf-8")
    assert load_brand(root).primary == "#102030" and len(counted) == 3
    assert load_brand(root).primary == "#102030" and len(counted) == 3


def test_a_cache_that_cannot_be_written_reads_the_file_each_time(tmp_path, counted):
    root = new_project(tmp_path / "report")
    (tmp_path / "machine").mkdir()
    (tmp_path / "machine" / "reportbuild").write_text("", encoding="utf-8")  # a file: no folder
    (root / ".reportbuild-cache").write_text("", encoding="utf-8")  # nor here, the fallback
    assert load_brand(root) == load_brand(root) and len(counted) == 2


def test_a_cached_brand_still_refuses_a_logo_that_now_leads_outside(tmp_path, counted):
    root = new_project(tmp_path / "report")
    logo = root / "styles" / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    path = root / "styles" / "_brand.yml"
    path.write_text(path.read_text("utf-8") + "logo:\n  small: logo.png\n", encoding="utf-8")
    assert load_brand(root).logo == str(logo.resolve())
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(logo.read_bytes())
    logo.unlink()
    logo.symlink_to(outside)
    with pytest.raises(SourceError) as err:
        load_brand(root)
    assert len(counted) == 1  # the cache was read, and the logo checked all the same
    assert any(p.code == "E005" and "logo" in p.message for p in err.value.problems)
