"""Which outlet published the article, when nobody said so.

Metadata wins (trafilatura's site name from HTML, or the user's
``publisher=``); the pipeline only calls :func:`detect_publisher` without
it. From text alone, in order of trust:

1. a trailing outlet line, as pasted articles end ("Business Insider",
   "Reporting by ...; Reuters"), when the line is a known outlet or the text
   also speaks of the outlet's own request for comment;
2. "<Outlet>'s request for comment" ("did not respond to Insider's request
   for comment"), which only the publisher writes;
3. a byline or dateline naming a known outlet ("(Reuters) -", "By X, CNN").
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..data import read_lines

__all__ = ["detect_publisher"]

_REQUEST = re.compile(r"([A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,3})['’]s? (?:request|requests|inquiry|inquiries|questions?) for comment")
_DATELINE = re.compile(r"\(([A-Z][\w&. -]{1,40})\)\s+[-–—]")
#: "By Jane Doe, CNN", "By Jane Doe and John Roe | Reuters", "By JANE DOE - The Guardian": the outlet after the names.
_BYLINE = re.compile(r"^[ \t]*By\s+[A-Z][^\n]{0,80}?(?:,|\s[|•·–—-])\s*((?:[Tt]he\s+)?[A-Z][\w&.'’ -]{0,40}?)[ \t]*$", re.MULTILINE)
_HEAD_CHARS = 600  # bylines and datelines open an article
_LINE_WORDS = 5


@lru_cache(maxsize=1)
def _outlets() -> dict[str, str]:
    """Known outlet names, lower-cased -> as listed."""
    return {line.lower(): line for line in read_lines("resolve_media_outlets.txt")}


def detect_publisher(text: str) -> str | None:
    """The publisher's name as the text gives it, or None when the text does not say."""
    outlets = _outlets()
    request = _REQUEST.search(text)
    requested = request.group(1).lower() if request else None
    for line in reversed([ln.strip() for ln in text.strip().splitlines() if ln.strip()][-6:]):
        if line.endswith((":", ".", "?", "!", "”", '"')) or len(line.split()) > _LINE_WORDS:
            continue
        name = line.strip("—–- ")
        key = name.lower()
        if not name or not name[0].isupper():
            continue
        if key in outlets or (requested and (requested == key or requested in key.split())):
            return name
    if requested and requested in outlets:
        return request.group(1)
    head = text[:_HEAD_CHARS]
    dateline = _DATELINE.search(head)
    if dateline and dateline.group(1).lower() in outlets:
        return dateline.group(1)
    for byline in _BYLINE.finditer(head):
        name = byline.group(1)
        if name.lower() in outlets or re.sub(r"^the\s+", "", name.lower()) in outlets:
            return name
    return None
