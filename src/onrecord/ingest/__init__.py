"""Input: read files, stdin and HTML into Documents, and normalise text for the NLP layer.

:mod:`~onrecord.ingest.readers` turns user inputs into
:class:`~onrecord.model.Document` objects whose ``text`` is the original that
every span indexes; :mod:`~onrecord.ingest.normalise` gives the NLP layer a
plainer copy of that text together with the map back to it. Files holding
many articles have their own readers: :mod:`~onrecord.ingest.warc` (web
archives), :mod:`~onrecord.ingest.feeds` (RSS/Atom) and
:mod:`~onrecord.ingest.jsonl` (JSON lines); ``iter_documents`` picks one by
file suffix.
"""

from onrecord._lazy import lazy_attributes

# Imported now, not on first use: the submodule of the same name would otherwise shadow the function
# once anything imports it. It is light (no third-party imports).
from onrecord.ingest.normalise import Normalised, normalise

#: Where each other public name lives; imported on first use (readers pull in trafilatura, feeds feedparser).
_WHERE = {
    "FEED_SUFFIXES": "feeds", "html_fragment_text": "feeds", "iter_feed": "feeds",
    "JSONL_SUFFIXES": "jsonl", "document_from_record": "jsonl", "iter_jsonl": "jsonl",
    "DEFAULT_MAX_BYTES": "readers", "count_articles": "readers", "document_from_html": "readers",
    "document_from_text": "readers", "iter_documents": "readers", "read_bytes_document": "readers",
    "read_document": "readers",
    "WARC_SUFFIXES": "warc", "iter_warc": "warc",
}
__getattr__ = lazy_attributes(__name__, _WHERE)

__all__ = [
    "normalise",
    "Normalised",
    "iter_documents",
    "count_articles",
    "read_document",
    "read_bytes_document",
    "document_from_html",
    "document_from_text",
    "DEFAULT_MAX_BYTES",
    "iter_warc",
    "iter_feed",
    "iter_jsonl",
    "document_from_record",
    "html_fragment_text",
    "WARC_SUFFIXES",
    "FEED_SUFFIXES",
    "JSONL_SUFFIXES",
]
