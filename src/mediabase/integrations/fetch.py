"""Where a recording's files are read from: a local feed's folder, a configured file root, or
https (httpx) — and nowhere else.

- A feed read by ``mediabase integrations import`` (:meth:`Fetcher.local`): ``file://`` URLs and
  paths relative to the feed's folder (the operator's own files), and https.
- A webhook delivery (:meth:`Fetcher.remote`): https to the provider's hosts (and
  ``MEDIABASE_INTEGRATIONS_DOWNLOAD_HOSTS``) only; ``file://`` and relative paths only inside
  ``MEDIABASE_INTEGRATIONS_FILE_ROOT`` when that is set (offline set-ups and tests). A delivery
  can never make the worker read a file elsewhere, or fetch from a host it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from mediabase.transcripts.formats import TranscriptFormatError, read_file


class FetchError(ValueError):
    """A file that cannot be had, with where and why (``where: reason``); ``retryable`` when
    trying again later may help (the network, the provider busy or failing)."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        """The provider's HTTP status, when it answered."""


@dataclass(frozen=True, slots=True)
class Fetcher:
    base_dir: Path | None = None
    """A local feed's folder: relative paths are read from it, file:// URLs anywhere."""
    file_root: Path | None = None
    """A webhook's files: file:// and relative paths inside this folder only."""
    hosts: tuple[str, ...] = ()
    """https hosts allowed ('.zoom.us': the domain and its subdomains)."""
    bearer: str | None = field(default=None, repr=False)
    """An OAuth access token, sent as Authorization: Bearer."""
    download_token: str | None = field(default=None, repr=False)
    """Zoom's per-delivery token, sent as ?access_token=… (instead of the bearer)."""
    max_bytes: int = 50 * 1024 * 1024
    timeout: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None

    @classmethod
    def local(cls, base_dir: Path, hosts: tuple[str, ...] = (), **kw: object) -> Fetcher:
        return cls(base_dir=base_dir, hosts=hosts, **kw)  # type: ignore[arg-type]

    @classmethod
    def remote(cls, file_root: Path | None, hosts: tuple[str, ...], **kw: object) -> Fetcher:
        return cls(file_root=file_root, hosts=hosts, **kw)  # type: ignore[arg-type]

    def name(self, url: str) -> str:
        """How messages name the file: its path as given, or the URL without its query."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        try:
            return str(self._path(url, check=False))
        except FetchError:
            return url

    def media_url(self, url: str) -> str | None:
        """What a video records as its media's URL: an https URL without its query (which may hold
        a token), or the file's absolute file:// URL; None for what is neither."""
        parts = urlsplit(url)
        if parts.scheme == "https":
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        try:
            return self._path(url, check=False).resolve().as_uri()
        except (FetchError, ValueError, OSError):
            return None

    def _path(self, url: str, *, check: bool = True) -> Path:
        parts = urlsplit(url)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise FetchError(f"{url}: a file:// URL names a file of this machine (no host)")
            path = Path(unquote(parts.path))
        elif parts.scheme == "" and not url.startswith("//"):
            base = self.base_dir if self.base_dir is not None else self.file_root
            if base is None:
                raise FetchError(f"{url}: a relative path needs a feed folder or MEDIABASE_INTEGRATIONS_FILE_ROOT")
            path = base / unquote(url)
        else:
            raise FetchError(f"{url}: only https, file:// and relative paths are read")
        if check and self.base_dir is None:
            if self.file_root is None:
                raise FetchError(f"{url}: a delivered recording's files come over https only"
                                 " (MEDIABASE_INTEGRATIONS_FILE_ROOT is not set)")
            root = self.file_root.resolve()
            resolved = path.resolve()
            if not resolved.is_relative_to(root):
                raise FetchError(f"{url}: outside MEDIABASE_INTEGRATIONS_FILE_ROOT")
            path = resolved
        return path

    def _host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h.lstrip(".") or (h.startswith(".") and host.endswith(h)) for h in self.hosts)

    async def fetch(self, url: str) -> bytes:
        """The file's bytes (at most ``max_bytes``), or FetchError naming it."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            return await self._download(url)
        path = self._path(url)
        try:
            return read_file(path, self.max_bytes)  # a regular file, its size looked at first
        except TranscriptFormatError as exc:
            raise FetchError(str(exc)) from None

    async def _download(self, url: str) -> bytes:
        parts = urlsplit(url)
        shown = self.name(url)
        if parts.scheme != "https":
            raise FetchError(f"{shown}: only https downloads are made")
        if not parts.hostname or not self._host_allowed(parts.hostname):
            raise FetchError(f"{shown}: host {parts.hostname!r} is not one of the provider's download hosts"
                             " (MEDIABASE_INTEGRATIONS_DOWNLOAD_HOSTS adds more)")
        headers: dict[str, str] = {}
        params: dict[str, str] = {}
        if self.download_token:
            params["access_token"] = self.download_token
        elif self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"

        async def https_only(request: httpx.Request) -> None:
            if request.url.scheme != "https":
                raise FetchError(f"{shown}: redirected to a URL that is not https")

        try:
            client = httpx.AsyncClient(transport=self.transport, timeout=self.timeout, follow_redirects=True,
                                       max_redirects=5, event_hooks={"request": [https_only]})
            async with client, client.stream("GET", url, headers=headers, params=params) as answer:
                if answer.status_code != 200:
                    raise FetchError(f"{shown}: the provider answered {answer.status_code}",
                                     retryable=answer.status_code == 429 or answer.status_code >= 500,
                                     status=answer.status_code)
                data = bytearray()
                async for chunk in answer.aiter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise FetchError(f"{shown}: larger than {self.max_bytes} bytes")
                return bytes(data)
        except httpx.HTTPError as exc:
            raise FetchError(f"{shown}: {type(exc).__name__}", retryable=True) from None


def default_hosts(provider_hosts: tuple[str, ...], extra: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*provider_hosts, *extra]))
