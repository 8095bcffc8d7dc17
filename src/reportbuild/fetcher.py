"""The only door through which WeasyPrint reads files: project and theme folders, nothing else."""

from __future__ import annotations

import mimetypes
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from reportbuild.errors import BuildError

# Types WeasyPrint checks by name (a stylesheet must say text/css, an SVG image/svg+xml).
EXTRA_TYPES = {
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".otf": "font/otf",
}


class SandboxFetcher:
    """WeasyPrint url_fetcher: file:// inside `roots` and data: URLs are served, the rest refused.

    WeasyPrint turns an exception from a fetcher into a logged warning and goes on without the
    resource; `_fail_on_errors = True` makes it stop the build instead (it raises
    FatalURLFetchingError, whose cause is our BuildError). Every refusal is also kept in
    `refused`, so the caller can name the source that asked for the URL.
    """

    _fail_on_errors = True

    def __init__(
        self,
        roots: Sequence[Path],
        origin: Callable[[str], str | None] | None = None,
        pending: tuple[Path, Callable[[], None]] | None = None,
    ):
        self.roots = [Path(r).resolve() for r in roots]
        self.origin = origin
        # (folder, wait): files under `folder` are still being written (the charts, drawn while
        # WeasyPrint starts); `wait()` returns once they are all there
        self.pending = (Path(pending[0]).resolve(), pending[1]) if pending else None
        self.refused: list[str] = []
        self.served: list[str] = []

    # WeasyPrint calls the fetcher, or its .fetch(url, headers) like URLFetcher's.
    def __call__(self, url: str):
        return self.fetch(url)

    def fetch(self, url: str, headers: object = None):
        from weasyprint.urls import URLFetcherResponse

        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            with urllib.request.urlopen(url) as resp:  # noqa: S310 - data: only, no network
                body = resp.read()
                ctype = resp.headers.get_content_type()
            return URLFetcherResponse(url, body, {"Content-Type": ctype})
        if scheme != "file":
            self._refuse(
                url, f"the {scheme or 'relative'} scheme is not allowed (no network access)"
            )
        self._await(url)
        path = self.resolve(url)
        ctype = EXTRA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        self.served.append(str(path))
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": ctype or "application/octet-stream"}
        )

    def _await(self, url: str) -> None:
        if self.pending is None:
            return
        folder, wait = self.pending
        raw = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        if raw.is_absolute() and raw.is_relative_to(folder):
            wait()
            self.pending = None

    def resolve(self, url: str) -> Path:
        """The real file a file:// URL names, if it lies inside the allowed roots; else refuse."""
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, f"file URLs on another host ('{parts.netloc}') are not allowed")
        raw = urllib.parse.unquote(parts.path)
        if ".." in raw.replace("\\", "/").split("/"):
            self._refuse(url, "'..' in a path is not allowed; name files inside the project")
        try:
            path = Path(urllib.request.url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            self._refuse(url, "no such file")
        if not any(path.is_relative_to(root) for root in self.roots):
            self._refuse(url, "it is outside the project and theme folders")
        if not path.is_file():
            self._refuse(url, "it is not a regular file")
        return path

    def _refuse(self, url: str, why: str) -> None:
        self.refused.append(url)
        asker = self.origin(url) if self.origin else None
        by = f" (asked for by {asker})" if asker else ""
        raise BuildError(f"refused to fetch '{url}'{by}: {why}")


def make_url_fetcher(
    allowed_roots: Sequence[Path],
    *,
    origin: Callable[[str], str | None] | None = None,
    pending: tuple[Path, Callable[[], None]] | None = None,
) -> SandboxFetcher:
    """A WeasyPrint url_fetcher that reads only files under `allowed_roots` (symlinks resolved).

    `origin(url)` may name the source file that referenced a URL, for the error message;
    `pending=(folder, wait)` makes the first fetch under `folder` call `wait()` first.
    """
    return SandboxFetcher(allowed_roots, origin, pending)
