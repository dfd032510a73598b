"""Attribution extraction: quotation finding and syntax/lexicon rules over a spaCy parse."""

from .quotes import Quote, find_quotes
from .rules import RuleConfig, extract_attributions

__all__ = ["Quote", "find_quotes", "RuleConfig", "extract_attributions"]
