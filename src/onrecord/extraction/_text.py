"""Two things every stage of a reading asks of one article, each computed once.

``Doc.text`` joins every token again on each access, and the quotation
finder scans the whole text; the rules, the CRF features, the pointer
head's hints and content trimming all need both (for ``fast`` that was
five texts and four scans an article). The text is kept while its Doc
lives; the quotations of the last few texts are kept by value.
"""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import TYPE_CHECKING

from .quotes import Quote, find_quotes

if TYPE_CHECKING:  # the pointer head imports this module at run time, and needs no spaCy to load
    from spacy.tokens import Doc

_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


@lru_cache(maxsize=16)
def quotes_in(text: str) -> tuple[Quote, ...]:
    """:func:`~onrecord.extraction.quotes.find_quotes` of ``text``, found once while ``text`` is recent."""
    return tuple(find_quotes(text))
