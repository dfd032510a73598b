"""onrecord: who said what, according to whom, in news text.

>>> import onrecord
>>> doc = onrecord.extract('"We will win," the senator said.')
>>> doc.attributions[0].speaker.name
'the senator'
"""

from ._lazy import lazy_attributes
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


# The pipeline imports spaCy; load it on first use so that `import onrecord`
# (and spaCy's own entry-point scan of onrecord's factories) stays light.
__getattr__ = lazy_attributes(__name__, {
    "extract": "pipeline", "extract_many": "pipeline", "Extractor": "pipeline", "PRESETS": "extraction.presets",
})
