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
_OWN_EXTENSIONS = (
    "onrecord_attributions",
    "onrecord_entities",
    "onrecord_non_responses",
    "onrecord_provenance",
    "onrecord_publisher",  # set it before the component runs to name the publisher yourself
)


def _register_extensions() -> None:
    for name in _OWN_EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("attributions"):
        Doc.set_extension("attributions", getter=lambda doc: doc._.onrecord_attributions)


class OnrecordComponent:
    """Attribution extraction with one of the presets, plus in-article speaker resolution."""

    def __init__(self, nlp: Language, name: str, model: str, min_ratio: float, resolve: bool) -> None:
        from ..extraction.presets import check_preset
        from ..extraction.rules import RuleConfig

        _register_extensions()
        self.name = name
        self.model = check_preset(model)
        self.config = RuleConfig(min_ratio=min_ratio)
        self.resolve = resolve

    def __call__(self, doc: Doc) -> Doc:
        from ..extraction.presets import preset_attributions

        attributions = preset_attributions(doc, self.model, self.config)
        entities: list[Any] = []
        if self.resolve:
            from ..provenance import build_provenance, detect_publisher, find_non_responses
            from ..resolve import is_anonymous, resolve_speakers

            publisher = doc._.onrecord_publisher or detect_publisher(doc.text)
            doc._.onrecord_publisher = publisher
            entities = resolve_speakers(doc, attributions, publisher=publisher)
            silent = find_non_responses(doc, entities)
            # "did not respond to a request for comment" is a fact about the entity, not a claim
            quiet = [(s.start_char, s.end_char) for n in silent for s in [doc.char_span(n.cue.start, n.cue.end, alignment_mode="expand").sent]]
            attributions = [a for a in attributions if not _inside_any(a, quiet)]
            for att in attributions:
                att.anonymous = bool(att.speaker) and is_anonymous(att.speaker.type, att.source[0].text if att.source else "")
            doc._.onrecord_non_responses = silent
            doc._.onrecord_provenance = build_provenance(doc, attributions, entities, publisher)
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


def _inside_any(att: Any, ranges: list[tuple[int, int]]) -> bool:
    """Whether any span of ``att`` starts inside one of ``ranges`` (non-response sentences)."""
    return any(start <= s.start < end for start, end in ranges for s in [*att.cue, *att.content])


@Language.factory(
    "onrecord",
    default_config={"model": "accurate", "min_ratio": 0.3, "resolve": True},
    requires=["token.dep", "token.pos", "doc.sents"],
    assigns=[
        "doc.spans",
        "doc._.attributions",
        "doc._.onrecord_entities",
        "doc._.onrecord_non_responses",
        "doc._.onrecord_provenance",
    ],
)
def make_onrecord(nlp: Language, name: str, model: str, min_ratio: float, resolve: bool) -> OnrecordComponent:
    """The spaCy factory behind ``nlp.add_pipe("onrecord", config={"model": "fast"})``.

    ``model`` is the preset: ``rules``, ``fast`` or ``accurate`` (the default).
    """
    return OnrecordComponent(nlp, name, model, min_ratio, resolve)
