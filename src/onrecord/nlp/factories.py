"""onrecord's spaCy components, registered in this one module.

spaCy finds them through the ``spacy_factories`` entry point, so
``nlp.add_pipe("onrecord")`` works in any pipeline once onrecord is installed.
The component writes

* ``doc.spans["onrecord_source"]``, ``["onrecord_cue"]``, ``["onrecord_content"]``:
  the role spans, for displaCy and spaCy's own tooling;
* ``doc._.attributions``: the list of :class:`onrecord.model.Attribution`,
  offsets into ``doc.text``, speakers resolved;
* ``doc._.onrecord_entities``: the :class:`onrecord.model.Entity` list.

Extensions are only registered when nobody else owns the name; if another
package already registered ``attributions``, onrecord leaves it alone and the
result is still on ``doc._.onrecord_attributions``.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

__all__ = ["OnrecordComponent", "make_onrecord", "SPAN_KEYS"]

SPAN_KEYS = {"source": "onrecord_source", "cue": "onrecord_cue", "content": "onrecord_content"}
_OWN_EXTENSIONS = ("onrecord_attributions", "onrecord_entities")


def _register_extensions() -> None:
    for name in _OWN_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("attributions"):
        Doc.set_extension("attributions", getter=lambda doc: doc._.onrecord_attributions)


class OnrecordComponent:
    """Rule-based attribution extraction plus in-article speaker resolution."""

    def __init__(self, nlp: Language, name: str, min_ratio: float, resolve: bool) -> None:
        from ..extraction.rules import RuleConfig

        _register_extensions()
        self.name = name
        self.config = RuleConfig(min_ratio=min_ratio)
        self.resolve = resolve

    def __call__(self, doc: Doc) -> Doc:
        from ..extraction.rules import extract_attributions

        attributions = extract_attributions(doc, self.config)
        entities: list[Any] = []
        if self.resolve:
            from ..resolve import resolve_speakers

            entities = resolve_speakers(doc, attributions)
        doc._.onrecord_attributions = attributions
        doc._.onrecord_entities = entities
        for role, key in SPAN_KEYS.items():
            spans = []
            for att in attributions:
                for s in getattr(att, role):
                    span = doc.char_span(s.start, s.end, label=att.id, alignment_mode="expand")
                    if span is not None:
                        spans.append(span)
            doc.spans[key] = spans
        return doc


@Language.factory(
    "onrecord",
    default_config={"min_ratio": 0.3, "resolve": True},
    requires=["token.dep", "token.pos", "doc.sents"],
    assigns=["doc.spans", "doc._.attributions", "doc._.onrecord_entities"],
)
def make_onrecord(nlp: Language, name: str, min_ratio: float, resolve: bool) -> OnrecordComponent:
    """The spaCy factory behind ``nlp.add_pipe("onrecord")``."""
    return OnrecordComponent(nlp, name, min_ratio, resolve)
