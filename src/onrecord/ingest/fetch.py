"""Fetch a web page or feed over HTTP(S), only when the user asked for it with ``--fetch``.

Reading is offline by default: a feed entry's own text is used and its link
left alone. With ``--fetch`` the feed reader fetches each entry's link (and
the command line may name a feed or page by URL). Fetching is deliberately
plain: the standard library's urllib, http and https only (redirects
included), a timeout, a size cap, and a User-Agent that says who is asking.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from onrecord import __version__
from onrecord.ingest.charsets import decode_web, page_encoding

__all__ = ["FETCH_TIMEOUT", "FetchError", "PrivateAddressError", "Fetched", "fetch", "is_url", "is_public_host"]

#: Seconds to wait for a server to connect or send, per attempt.
FETCH_TIMEOUT = 20.0
_SCHEMES = ("http", "https")
_USER_AGENT = f"onrecord/{__version__} (news attribution extractor; fetches only with --fetch)"


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` is the problem in a few words, for an error line."""


class PrivateAddressError(FetchError):
    """A URL refused because its host is a private, loopback, link-local or otherwise non-public address."""


@dataclass
class Fetched:
    """A fetched resource: its bytes, the final URL after redirects, and the declared type and charset."""

    data: bytes
    url: str
    content_type: str
    charset: str | None

    def text(self) -> str:
        """The body as text, in the charset a browser would read it in; undecodable bytes replaced, not fatal.

        That is the one rule every page follows (:func:`~onrecord.ingest.charsets.page_encoding`):
        a byte-order mark, the server's charset, an HTML page's ``<meta>``, UTF-8, with labels read as
        browsers read them (``iso-8859-1`` is windows-1252). A label no one knows is passed over.
        """
        html = "html" in self.content_type or "xml" in self.content_type
        return decode_web(self.data, page_encoding(self.data, header=self.charset, html=html), lenient=True)


def is_url(value: str) -> bool:
    """Whether a command-line input is a URL of a scheme onrecord fetches (http, https)."""
    return urlsplit(value.strip()).scheme.lower() in _SCHEMES and "://" in value


def is_public_host(host: str) -> bool:
    """Whether every address ``host`` resolves to is a public (globally routable) one.

    A server that fetches URLs its users give must not become their way into
    its own network: loopback, private ranges, link-local (cloud metadata at
    169.254.169.254), carrier-grade NAT and reserved addresses are all refused.
    A host that does not resolve is not public either.
    """
    try:
        addresses = _addresses(host)
    except FetchError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a).is_global for a in addresses)


def _addresses(host: str) -> set[str]:
    """The addresses ``host`` resolves to; FetchError when it resolves to none (a typo, or no DNS)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as err:
        raise FetchError(f"cannot resolve {host!r} ({getattr(err, 'strerror', None) or err})") from None
    return {info[4][0].split("%")[0] for info in infos}


def fetch(url: str, *, max_bytes: int, timeout: float = FETCH_TIMEOUT, public_only: bool = False) -> Fetched:
    """GET ``url`` and return its body, at most ``max_bytes`` of it; raise FetchError saying why not.

    Only http and https are fetched, also after a redirect, so a feed cannot
    send onrecord to ``file://`` or ``ftp://``. A body over ``max_bytes`` is an
    error rather than a truncated page, as half an article would be stored as a whole one.
    ``public_only`` (the web server's default) refuses hosts that are not public
    (:func:`is_public_host`), before the first request and before every redirect.
    The check resolves the name separately from the connection, so it stops a
    user's URL, not a hostile DNS server answering differently the second time.
    """
    if urlsplit(url).scheme.lower() not in _SCHEMES:
        raise FetchError("only http and https links are fetched")
    if public_only:
        _check_public(url)
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, "Accept": "*/*"})
    opener = urllib.request.build_opener(_PublicRedirects if public_only else _HttpOnlyRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            data = _read_capped(response, max_bytes)
            headers: Message = response.headers
            return Fetched(data, response.geturl(), headers.get_content_type(), headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}".strip()) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(f"no answer within {timeout:g} s") from None
        raise FetchError(str(getattr(reason, "strerror", None) or reason)) from None
    except (TimeoutError, socket.timeout):
        raise FetchError(f"no answer within {timeout:g} s") from None
    except (OSError, ValueError) as exc:  # connection reset, bad URL, malformed response
        raise FetchError(str(exc) or type(exc).__name__) from None


def _read_capped(response: IO[bytes], max_bytes: int) -> bytes:
    data = response.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FetchError(f"over the limit of {max_bytes} bytes (raise it with --max-bytes)")
    return data


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https only (urllib would also follow one to ftp)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-HTTP URL {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _PublicRedirects(_HttpOnlyRedirects):
    """Follow redirects to public http and https addresses only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        _check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_public(url: str) -> None:
    """Raise PrivateAddressError unless ``url``'s host is public, and FetchError when it does not resolve."""
    host = urlsplit(url).hostname or ""
    if not is_public_host(host):
        _addresses(host)  # a name that resolves to nothing is a typo or no DNS, not a refusal
        raise PrivateAddressError(f"{host or url} is not a public address")
