"""Which charset a web page is in, decided once for every path, and labels read as browsers read them.

A page names its charset in its HTTP Content-Type, in a ``<meta>`` tag, or
(for a WARC record) in the archived response's header. Browsers read those
labels by the WHATWG Encoding Standard, not by Python's codec names: a page
that says ``iso-8859-1`` (or ``latin1``, ``ascii``...) is read as
windows-1252, so its bytes 0x80-0x9F are curly quotes, dashes and the euro
sign, not C1 control characters. News pages that say iso-8859-1 routinely
hold such quotes, and a quotation that opens with U+0093 is no quotation to
the extractor. The label table is ``data/ingest_charsets.tsv``.

:func:`page_encoding` is the one rule for which charset applies, as browsers
apply it: a byte-order mark, then the HTTP header, then the page's
``<meta>``, then the default, except that bytes which are valid UTF-8 are
read as UTF-8 whatever the labels say. HTML files, stdin, fetched pages (read as
inputs or from feed links) and WARC records all go through it. An
``--encoding`` the user gives is a Python codec name taken literally, and
never passes through this table: the user said so.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from onrecord.ingest.normalise import _data_lines

__all__ = ["UTF8_BOM", "declared_charset", "decode_web", "page_encoding", "web_codec", "wide_bom_encoding"]

UTF8_BOM = codecs.BOM_UTF8
_CHARSETS_FILE = "ingest_charsets.tsv"
#: ``<meta charset="...">`` and ``<meta http-equiv="Content-Type" content="text/html; charset=...">`` alike.
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_CHARSET_SNIFF_BYTES = 4096
#: Windows code pages whose Python tables leave holes in 0x80-0x9F that WHATWG fills with the C1 controls.
_C1_HOLES = re.compile(r"cp(?:874|125[0-8])")
_STRICT_C1 = "onrecord-whatwg-c1"
_LENIENT_C1 = "onrecord-whatwg-c1-replace"
_LABEL_TRIM = " \t\n\f\r\"'"


def web_codec(label: str | None) -> str | None:
    """The Python codec a browser's reading of charset ``label`` comes to, or None for a label it would ignore.

    The WHATWG table first (``iso-8859-1`` is windows-1252, ``x-sjis`` is
    cp932); then Python's own names, whose codec is looked up in the table
    again, so ``latin-1`` is windows-1252 as ``latin1`` is. A label neither
    knows, or one naming no text encoding (``base64``), is None.
    """
    key = (label or "").strip(_LABEL_TRIM).lower()
    if not key:
        return None
    table = _labels()
    if key in table:
        return table[key]
    try:
        info = codecs.lookup(key)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # a bytes-to-bytes codec (base64, zlib) is no charset
        return None
    return table.get(info.name, info.name)


def page_encoding(data: bytes, *, header: str | None = None, default: str = "utf-8", html: bool = True) -> str:
    """The codec ``data`` is read in, by the browsers' precedence: BOM, HTTP header, ``<meta>``, ``default``.

    ``header`` is the charset label a server (or an archived response) sent;
    ``html`` says whether to look for a ``<meta>`` at all (a text file's
    "<meta charset" is just text). Labels are read by :func:`web_codec`, and one
    it does not know is passed over, as browsers pass it over. A ``<meta>``
    naming UTF-16 means UTF-8, as WHATWG says: a page whose tag could be read
    as ASCII is not UTF-16. ``default`` is taken as it is given. A UTF-8 mark
    gives ``utf-8-sig``, which drops it, so it never shifts an offset.

    One departure from browsers: bytes that are valid UTF-8 with some non-ASCII in them are read
    as UTF-8 whatever a label says. A page saved by a scraper (which writes UTF-8 and leaves the
    original ``<meta charset="windows-1252">``) or served by a misconfigured server is common;
    text really in a single-byte charset almost never forms valid UTF-8 sequences by chance, so
    believing the label there would only turn "café" into "cafÃ©".
    """
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    marked = wide_bom_encoding(data)
    if marked:
        return marked
    labelled = web_codec(header)
    if not labelled and html:
        declared = web_codec(declared_charset(data))
        labelled = "utf-8" if declared and declared.startswith("utf-16") else declared
    if labelled and labelled != "utf-8" and _is_utf8_text(data):
        return "utf-8"
    return labelled or default


def _is_utf8_text(data: bytes) -> bool:
    """Whether ``data`` has non-ASCII bytes and all of them form valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def declared_charset(html: bytes) -> str | None:
    """The charset a page names in a ``<meta>`` tag in its first 4 KB, or None.

    Both forms count (``<meta charset>`` and the ``http-equiv`` Content-Type),
    and only the start of the page is searched, as browsers do, so a charset
    quoted in the article's text is not taken for the page's.
    """
    match = _META_CHARSET.search(html, 0, _CHARSET_SNIFF_BYTES)
    return match.group(1).decode("ascii") if match else None


def wide_bom_encoding(data: bytes) -> str | None:
    """The wide encoding a byte-order mark at the start of ``data`` names (its decoder drops the mark).

    Only with NUL bytes after it, as text in UTF-16 or UTF-32 has (in every ASCII character): two
    bytes that merely look like a mark, before bytes in another encoding, are left to the other rules.
    """
    if b"\x00" not in data:
        return None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: LE marks share a prefix
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def decode_web(data: bytes, codec: str, *, lenient: bool = False) -> str:
    """``data`` decoded in ``codec`` as a browser decodes it; UnicodeDecodeError (or LookupError) when it does not fit.

    Python's Windows code pages leave a few bytes undefined (0x81, 0x8D, 0x8F,
    0x90 and 0x9D in windows-1252) that WHATWG reads as the C1 control of the
    same number; read so here, a page declared iso-8859-1 decodes wherever
    Latin-1 did. ``lenient`` replaces bytes that still do not fit with U+FFFD.
    """
    if _C1_HOLES.fullmatch(codecs.lookup(codec).name):
        _register_c1_handlers()
        return data.decode(codec, _LENIENT_C1 if lenient else _STRICT_C1)
    return data.decode(codec, "replace" if lenient else "strict")


# --- internals ---------------------------------------------------------------


@lru_cache(maxsize=None)
def _labels() -> dict[str, str]:
    """The WHATWG labels, lower-case, with the Python codec for each."""
    table: dict[str, str] = {}
    for number, line in enumerate(_data_lines(_CHARSETS_FILE), 1):
        label, _, codec = line.partition("\t")
        if not label.strip() or not codec.strip():
            raise ValueError(f"{_CHARSETS_FILE} row {number}: expected LABEL<TAB>PYTHON-CODEC, got {line!r}")
        table[label.strip().lower()] = codec.strip()
    return table


@lru_cache(maxsize=None)
def _register_c1_handlers() -> None:
    """Register the error handlers :func:`decode_web` uses (once: codecs keeps them for the process)."""
    codecs.register_error(_STRICT_C1, lambda exc: _c1(exc, lenient=False))
    codecs.register_error(_LENIENT_C1, lambda exc: _c1(exc, lenient=True))


def _c1(exc: UnicodeError, *, lenient: bool) -> tuple[str, int]:
    """An undefined byte in 0x80-0x9F as its C1 control; any other is U+FFFD (lenient) or the error again."""
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start : exc.end]
        if all(0x80 <= byte <= 0x9F for byte in bad):
            return bad.decode("latin-1"), exc.end
        if lenient:
            return "\ufffd" * len(bad), exc.end
    raise exc
