"""The live preview: serve output/ on 127.0.0.1, rebuild the HTML on save, reload the browser.

The server sees only the output folder: every request path is checked against it (no `..`, no
absolute paths, no symlinks out). Pages get a tiny script that polls /__version and reloads
when a rebuild finishes, or shows the build error over the page while the sources are broken.
"""

from __future__ import annotations

import json
import os
import posixpath
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from reportbuild import paths
from reportbuild.build import BuildOptions, Feedback, run_build
from reportbuild.errors import BuildError, ReportError

WATCHED = (paths.SOURCES, paths.FIGURES, paths.STYLES)
VERSION_PATH = "/__version"

RELOAD_SCRIPT = """<script>/* reportbuild preview: reload after each rebuild */
(function () {
  var seen = null, box = null;
  function show(err) {
    if (!err) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#fff3f0;color:#8a1c0c;border-top:3px solid #d9482b;" +
        "font:13px/1.5 monospace;white-space:pre-wrap;z-index:99999";
      document.body.appendChild(box);
    }
    box.textContent = err;
  }
  function poll() {
    fetch("/__version", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (seen !== null && s.version !== seen) { location.reload(); return; }
        seen = s.version; show(s.error);
      }).catch(function () {}).finally(function () { setTimeout(poll, 300); });
  }
  poll();
})();
</script>
"""


WAITING_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>reportbuild preview</title><body><p>Waiting for the first good build of the report…</p>
</body></html>"""


@dataclass
class PreviewState:
    """What the browser polls: a version bumped by every successful rebuild, and the last error."""

    version: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict:
        with self.lock:
            return {"version": self.version, "error": self.error}

    def built(self) -> None:
        with self.lock:
            self.version += 1
            self.error = ""

    def failed(self, message: str) -> None:
        with self.lock:
            self.error = message


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
MAX_CONNECTIONS = 16


class BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most MAX_CONNECTIONS at once; more are closed at once."""

    daemon_threads = True
    # the listen backlog: socketserver's 5 dropped the connections a browser opens at once for a
    # page and its figures (six and more), each retried by the client's TCP a second later
    request_queue_size = 4 * MAX_CONNECTIONS

    def __init__(self, *args, **kwargs):
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves files of one folder only, adds the reload script to HTML, answers /__version."""

    state: PreviewState
    # an idle connection is closed after this many seconds (a socket timeout per read)
    timeout = 15

    def __init__(self, *args, directory: str, state: PreviewState, **kwargs):
        self.state = state
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server API
        pass  # the terminal is for build feedback, not for access logs

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _refuse(self) -> None:
        self.send_error(HTTPStatus.FORBIDDEN, "outside the preview folder")

    def _safe_path(self) -> Path | None:
        """The file a request names inside the folder, or None if it tries to leave it."""
        raw = self.path.split("?", 1)[0].split("#", 1)[0]
        path = urllib.parse.unquote(raw)
        if not path.startswith("/") or path.startswith("//") or "\\" in path or "\0" in path:
            return None
        parts = path.split("/")
        if any(p in ("..", ".") for p in parts):
            return None
        root = Path(self.directory).resolve()
        target = (root / posixpath.normpath(path).lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None  # a symlink pointing out of the folder
        return target

    def translate_path(self, path: str) -> str:
        target = self._safe_path()
        # never fall back to http.server's own mapping: an unsafe path maps to nothing
        return str(target) if target is not None else os.devnull + ".refused"

    def _host_allowed(self) -> bool:
        """Only loopback names: a page on another site that rebinds its DNS name to 127.0.0.1
        still sends its own name as Host, and is refused."""
        host = (self.headers.get("Host") or "").strip().lower()
        name = host[: host.find("]") + 1] if host.startswith("[") else host.split(":", 1)[0]
        if name in LOOPBACK_NAMES:
            return True
        self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this preview answers only on 127.0.0.1")
        return False

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if not self._host_allowed():
            return
        if self.path.split("?", 1)[0] == VERSION_PATH:
            body = json.dumps(self.state.snapshot()).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        target = self._safe_path()
        if target is None:
            self._refuse()
            return
        page = self.path.split("?", 1)[0]
        if page in ("/", "/report.html"):
            target = Path(self.directory).resolve() / "report.html"
            if not target.is_file():  # no good build yet: a page that shows the error, then reloads
                self._send_html_text(WAITING_PAGE)
                return
        if target.suffix == ".html" and target.is_file():
            self._send_html_text(target.read_text(encoding="utf-8"))
            return
        super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server API
        if not self._host_allowed():
            return
        if self._safe_path() is None:
            self._refuse()
            return
        super().do_HEAD()

    def _send_html_text(self, text: str) -> None:
        i = text.lower().rfind("</body>")
        text = text[:i] + RELOAD_SCRIPT + text[i:] if i >= 0 else text + RELOAD_SCRIPT
        body = text.encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Preview:
    """A preview of one project: the server, the state and the rebuild function (no watcher)."""

    def __init__(self, root: Path | str, port: int = 8000, verbosity: int = 1):
        self.root = Path(root).resolve()
        self.out_dir = paths.ProjectPaths(self.root).output
        self.state = PreviewState()
        self.fb = Feedback(verbosity)
        self.opts = BuildOptions(only="html", verbosity=verbosity, jobs=1)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        handler = partial(PreviewHandler, directory=str(self.out_dir), state=self.state)
        try:
            self.server = BoundedServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise BuildError(
                f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); "
                "pass --port with another number (0 picks a free one)"
            ) from None
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/report.html"

    def rebuild(self) -> bool:
        """Rebuild the HTML edition (and its charts); True if the page changed."""
        t0 = time.perf_counter()
        try:
            # the steps of each rebuild only with -v: one line per save is enough
            result = run_build(self.root, self.opts, Feedback(self.fb.verbosity - 1))
        except ReportError as exc:
            self.state.failed(exc.format_message())
            self.fb.info(exc.format_message())
            return False
        if result.up_to_date and self.state.snapshot()["error"] == "":
            return False
        self.state.built()
        self.fb.info(f"{time.strftime('%H:%M:%S')} rebuilt in {time.perf_counter() - t0:.2f}s")
        return True

    def serve_in_thread(self) -> threading.Thread:
        t = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name="preview-http", daemon=True
        )
        t.start()
        return t

    def watch(self, stop: threading.Event) -> None:
        """Rebuild after each batch of saved changes until `stop` is set."""
        import watchfiles

        folders = [str(self.root / d) for d in WATCHED if (self.root / d).is_dir()]

        def relevant(change: watchfiles.Change, path: str) -> bool:
            name = os.path.basename(path)
            return not (name.startswith(".") or name.endswith("~"))

        for _changes in watchfiles.watch(
            *folders, watch_filter=relevant, stop_event=stop, debounce=400, step=30,
            rust_timeout=200, yield_on_timeout=False, raise_interrupt=True,
        ):  # fmt: skip
            self.rebuild()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(
    root: Path | str, port: int = 8000, open_browser: bool = False, verbosity: int = 1
) -> None:
    """Build the HTML edition, serve it and keep it fresh until Ctrl-C."""
    preview = Preview(root, port, verbosity)
    first = preview.rebuild()
    if not first and not (preview.out_dir / "report.html").is_file():
        # the first build failed: keep serving, the page shows the error once fixed
        preview.fb.info("waiting for the sources to be fixed…")
    preview.serve_in_thread()
    preview.fb.info(f"preview at {preview.url} (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(preview.url)
    stop = threading.Event()
    try:
        preview.watch(stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        preview.close()
