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

from onrecord.ingest.feeds import FEED_SUFFIXES, html_fragment_text, iter_feed
from onrecord.ingest.jsonl import JSONL_SUFFIXES, document_from_record, iter_jsonl
from onrecord.ingest.normalise import Normalised, normalise
from onrecord.ingest.readers import (
    DEFAULT_MAX_BYTES,
    count_articles,
    document_from_html,
    document_from_text,
    iter_documents,
    read_bytes_document,
    read_document,
)
from onrecord.ingest.warc import WARC_SUFFIXES, iter_warc

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
