"""onrecord: who said what, according to whom, in news text.

>>> import onrecord
>>> doc = onrecord.extract('"We will win," the senator said.')
>>> doc.attributions[0].speaker.name
'the senator'
"""

from typing import Any

from .model import Attribution, Document, Entity, NonResponse, Provenance, ProvenanceEdge, Span, SpeakerRef

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "extract",
    "extract_many",
    "Extractor",
    "Document",
    "Attribution",
    "Entity",
    "Span",
    "SpeakerRef",
    "NonResponse",
    "Provenance",
    "ProvenanceEdge",
    "PRESETS",
]


def __getattr__(name: str) -> Any:
    # The pipeline imports spaCy; load it on first use so that `import onrecord`
    # (and spaCy's own entry-point scan of onrecord's factories) stays light.
    if name in ("extract", "extract_many", "Extractor"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "PRESETS":
        from .extraction.presets import PRESETS

        return PRESETS
    raise AttributeError(f"module 'onrecord' has no attribute {name!r}")
