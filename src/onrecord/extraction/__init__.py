"""Attribution extraction: quotation finding and syntax/lexicon rules over a spaCy parse."""

from .._lazy import lazy_attributes

# The rules import spaCy; the tagger's and the evaluator's modules beside them do not need it.
__getattr__ = lazy_attributes(__name__, {
    "Quote": "quotes", "find_quotes": "quotes", "RuleConfig": "rules", "extract_attributions": "rules",
})

__all__ = ["Quote", "find_quotes", "RuleConfig", "extract_attributions"]
