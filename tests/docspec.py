"""Hand-built parsed Docs for rule tests: no model needed, every arc chosen by the test."""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.vocab import Vocab

from onrecord.model import Attribution, Span

__all__ = ["make_doc", "span_of", "attribution"]

_TAGS = {
    "PROPN": "NNP", "NOUN": "NN", "PRON": "PRP", "VERB": "VBD", "DET": "DT", "ADP": "IN",
    "ADJ": "JJ", "PUNCT": ",", "AUX": "VBZ", "CCONJ": "CC", "SPACE": "_SP", "PART": "POS", "NUM": "CD",
}
_NO_SPACE_BEFORE = {",", ".", "’s", "'s", "”", ":", "\n\n"}


def make_doc(spec: str) -> Doc:
    """A parsed Doc from "word/POS/dep/head[/t=TAG][/l=lemma][/e=B-PERSON][/sp=0]" items; "¶" is a
    paragraph break, ``sp=0`` glues the next word on ("Holtz-Eakin")."""
    words, pos, deps, heads, tags, lemmas, ents, glued = [], [], [], [], [], [], [], set()
    for item in spec.split():
        if item == "¶":
            item = f"\n\n/SPACE/dep/{len(words) - 1}"
        word, p, dep, head, *extra = item.split("/")
        opts = dict(e.split("=", 1) for e in extra)
        words.append(word)
        pos.append(p)
        deps.append(dep)
        heads.append(int(head))
        tags.append(opts.get("t", _TAGS.get(p, "XX")))
        lemmas.append(opts.get("l", word.lower()))
        ents.append(opts.get("e", "O"))
        if opts.get("sp") == "0":
            glued.add(len(words) - 1)
    spaces = [
        not (w in ("“", "\n\n") or i in glued or (i + 1 < len(words) and words[i + 1] in _NO_SPACE_BEFORE))
        for i, w in enumerate(words)
    ]
    spaces[-1] = False
    return Doc(Vocab(), words=words, spaces=spaces, pos=pos, deps=deps, heads=heads, tags=tags,
               lemmas=lemmas, ents=ents)


def span_of(doc: Doc, text: str, nth: int = 0) -> Span:
    """The ``nth`` whole-word occurrence of ``text`` in the document."""
    found = list(re.finditer(r"(?<!\w)" + re.escape(text) + r"(?!\w)", doc.text))[nth]
    return Span(found.start(), found.end(), text)


def attribution(doc: Doc, ident: str, source: str, nth: int = 0, content: str | None = None) -> Attribution:
    return Attribution(
        ident, "indirect", [span_of(doc, source, nth)], [],
        [span_of(doc, content)] if content else [],
    )
