"""The only door through which WeasyPrint reads files: project and theme folders, nothing else."""

from __future__ import annotations

import mimetypes
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reportbuild.errors import BuildError

# Types WeasyPrint checks by name (a stylesheet must say text/css, an SVG image/svg+xml).
EXTRA_TYPES = {
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".otf": "font/otf",
}


class SandboxFetcher(URLFetcher):
    """WeasyPrint URL fetcher: file:// inside `roots` and data: URLs are served, the rest refused.

    WeasyPrint turns an exception from a fetcher into a logged warning and goes on without the
    resource; `fail_on_errors=True` makes it stop the build instead (it raises
    FatalURLFetchingError, whose cause is our BuildError). Every refusal is also kept in
    `refused`, so the caller can name the source that asked for the URL. `fetch` is ours
    throughout: the opener URLFetcher is built on (HTTP, FTP, redirects) is never used.
    """

    def __init__(
        self,
        roots: Sequence[Path],
        origin: Callable[[str], str | None] | None = None,
        stand_in: Callable[[Path, str], bytes | None] | None = None,
    ):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                         fail_on_errors=True)  # fmt: skip
        self.roots = [Path(r).resolve() for r in roots]
        self.origin = origin
        # stand_in(path, url): what to serve instead of a file not written yet (a chart drawn
        # while WeasyPrint typesets; see deferred.py), or None to read the file
        self.stand_in = stand_in
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
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
        # the name as given: a stand-in's file may not exist yet (read() checks real files)
        named = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        body = self.stand_in(named.resolve(), url) if self.stand_in else None
        if body is None:
            body = self.read(url)
        ctype = EXTRA_TYPES.get(named.suffix.lower()) or mimetypes.guess_type(named.name)[0]
        return URLFetcherResponse(url, body, {"Content-Type": ctype or "application/octet-stream"})

    def read(self, url: str) -> bytes:
        """The bytes of a file:// URL inside the allowed roots."""
        path = self.resolve(url)
        self.served.append(str(path))
        return path.read_bytes()

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
    stand_in: Callable[[Path, str], bytes | None] | None = None,
) -> SandboxFetcher:
    """A WeasyPrint url_fetcher that reads only files under `allowed_roots` (symlinks resolved).

    `origin(url)` may name the source file that referenced a URL, for the error message;
    `stand_in(path, url)` may answer for a file before it exists (see SandboxFetcher).
    """
    return SandboxFetcher(allowed_roots, origin, stand_in)
