"""The live preview: serves only output/, rebuilds on save, tells the browser to reload."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest

from reportbuild.preview import RELOAD_SCRIPT, Preview


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A new project with its HTML edition built, once per module (the preview's first build:
    test_before_the_first_good_build_the_page_waits_and_reloads makes it)."""
    import shutil

    from conftest import SKELETON

    from reportbuild.build import BuildOptions, run_build

    root = tmp_path_factory.mktemp("served") / "proj"
    shutil.copytree(SKELETON, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
        run_build(root, BuildOptions(only="html", jobs=1, verbosity=0))
    return root


@pytest.fixture
def preview(served, tmp_path, monkeypatch):
    """The preview of a copy of `served`: its page up to date, to edit in a test."""
    from conftest import copy_build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    p = Preview(copy_build(served, tmp_path / "proj"), port=0, verbosity=0)
    assert not p.rebuild()  # up to date: nothing to build, the page is served as it is
    p.serve_in_thread()
    yield p
    p.close()


def _get(p: Preview, path: str) -> tuple[int, bytes]:
    host, port = p.server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)  # sent as written: no client-side normalisation of ".."
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def _version(p: Preview) -> dict:
    status, body = _get(p, "/__version")
    assert status == 200
    return json.loads(body)


def test_binds_loopback_only(preview):
    assert preview.server.server_address[0] == "127.0.0.1"


def test_serves_the_page_with_the_reload_script(preview):
    status, body = _get(preview, "/report.html")
    assert status == 200
    page = body.decode("utf-8")
    assert "第一章的标题" in page
    assert RELOAD_SCRIPT in page and page.index(RELOAD_SCRIPT) < page.rindex("</body>")
    status, svg = _get(preview, "/figures/survey.svg")
    assert status == 200 and b"<svg" in svg
    assert _get(preview, "/")[0] == 200


@pytest.mark.parametrize(
    "path",
    ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/figures/../../sources/report.yml",
     "/%2Fetc%2Fpasswd", "/..%2F..%2Fetc%2Fpasswd", "http://127.0.0.1/x"],
)  # fmt: skip
def test_refuses_paths_outside_the_folder(preview, path):
    status, body = _get(preview, path)
    assert status == 403, (path, status)
    assert b"root:" not in body and b"[project]" not in body


@pytest.mark.parametrize("path", ["/etc/passwd", "//etc/passwd"])
def test_absolute_path_maps_inside_the_folder(preview, path):
    # http.server itself folds a leading "//" to "/": both name output/etc/passwd, which is absent
    status, body = _get(preview, path)
    assert status == 404 and b"root:" not in body


def test_saved_edit_bumps_the_version_and_shows_errors(preview):
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    try:
        time.sleep(0.3)  # let the watcher start listening
        v0 = _version(preview)["version"]
        chapter = preview.root / "sources" / "chapters" / "01-intro.md"
        text = chapter.read_text(encoding="utf-8")
        t0 = time.monotonic()
        chapter.write_text(text + "\n预览中新加的一句话。\n", encoding="utf-8")
        while _version(preview)["version"] == v0 and time.monotonic() - t0 < 20:
            time.sleep(0.05)
        assert _version(preview)["version"] == v0 + 1, "no rebuild after the edit"
        assert "预览中新加的一句话" in _get(preview, "/report.html")[1].decode("utf-8")

        chapter.write_text(text.replace("::: figure survey", "::: figure nope"), encoding="utf-8")
        while not _version(preview)["error"] and time.monotonic() - t0 < 40:
            time.sleep(0.05)
        state = _version(preview)
        assert "sources/chapters/01-intro.md:11" in state["error"]
        assert state["version"] == v0 + 1  # the last good page stays up
    finally:
        stop.set()
        watcher.join(timeout=5)


def test_before_the_first_good_build_the_page_waits_and_reloads(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    chapter = project / "sources" / "chapters" / "01-intro.md"
    chapter.write_text(chapter.read_text("utf-8").replace("figure survey", "figure x"), "utf-8")
    p = Preview(project, port=0, verbosity=0)
    try:
        assert not p.rebuild()
        p.serve_in_thread()
        status, body = _get(p, "/")
        assert status == 200 and b"Waiting for the first good build" in body
        assert RELOAD_SCRIPT.encode() in body
        assert "01-intro.md:11" in _version(p)["error"]
    finally:
        p.close()


def test_a_busy_port_is_a_clear_error(preview):
    from reportbuild.errors import BuildError

    with pytest.raises(BuildError, match="pass --port"):
        Preview(preview.root, port=preview.server.server_address[1], verbosity=0)


@pytest.mark.parametrize(
    ("host", "status"),
    [("attacker.example", 421), ("attacker.example:8000", 421), ("127.0.0.1.nip.io", 421),
     ("localhost", 200), ("127.0.0.1:{port}", 200), ("[::1]:{port}", 200)],
)  # fmt: skip
def test_answers_only_to_loopback_host_names(preview, host, status):
    """DNS rebinding: a page on another site that points its name at 127.0.0.1 is refused."""
    addr, port = preview.server.server_address[:2]
    conn = http.client.HTTPConnection(addr, port, timeout=10)
    conn.putrequest("GET", "/report.html", skip_host=True)
    conn.putheader("Host", host.format(port=port))
    conn.endheaders()
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status == status


def test_a_burst_of_connections_is_taken_without_a_retry(preview):
    """A browser opens several connections at once for a page and its figures: the listen
    backlog holds them all (socketserver's 5 dropped the rest, which TCP retried 1 s later),
    and the server still answers."""
    import socket

    from reportbuild import preview as mod

    addr = preview.server.server_address[:2]
    started = time.monotonic()
    conns = [socket.create_connection(addr, timeout=5) for _ in range(2 * mod.MAX_CONNECTIONS)]
    connected = time.monotonic() - started
    for s in conns:
        s.close()
    assert connected < 0.5, connected
    assert _get(preview, "/report.html")[0] == 200


def test_idle_connections_are_closed_and_their_number_is_bounded(preview, monkeypatch):
    import socket

    from reportbuild import preview as mod

    monkeypatch.setattr(mod.PreviewHandler, "timeout", 0.5)
    addr = preview.server.server_address[:2]
    idle = [socket.create_connection(addr, timeout=5) for _ in range(mod.MAX_CONNECTIONS + 4)]
    try:
        # the connections past the bound are closed at once, the others after the timeout
        started = time.monotonic()
        for s in idle:
            assert s.recv(1) == b""
        assert time.monotonic() - started < 4
        assert _get(preview, "/report.html")[0] == 200  # and the server still answers
    finally:
        for s in idle:
            s.close()
