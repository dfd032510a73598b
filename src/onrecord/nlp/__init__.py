"""The NLP foundation: spaCy model loading and onrecord's spaCy components."""

from .loader import DEFAULT_MODEL, ENV_VAR, load_spacy, model_name

__all__ = ["DEFAULT_MODEL", "ENV_VAR", "load_spacy", "model_name"]
