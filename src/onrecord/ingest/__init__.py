"""Input: read files, stdin and HTML into Documents, and normalise text for the NLP layer.

:mod:`~onrecord.ingest.readers` turns user inputs into
:class:`~onrecord.model.Document` objects whose ``text`` is the original that
every span indexes; :mod:`~onrecord.ingest.normalise` gives the NLP layer a
plainer copy of that text together with the map back to it.
"""

from onrecord.ingest.normalise import Normalised, normalise
from onrecord.ingest.readers import (
    DEFAULT_MAX_BYTES,
    document_from_html,
    document_from_text,
    iter_documents,
    read_bytes_document,
    read_document,
)

__all__ = [
    "normalise",
    "Normalised",
    "iter_documents",
    "read_document",
    "read_bytes_document",
    "document_from_html",
    "document_from_text",
    "DEFAULT_MAX_BYTES",
]
