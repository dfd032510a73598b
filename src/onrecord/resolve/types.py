"""What kind of source a mention is: a person, an outlet, a government, a poll...

The type tells a reader how much weight a claim carries ("Reuters" is not
"sources"), so it is decided by auditable word lists in ``onrecord/data``
(``resolve_*.txt``) plus the parse and NER label, never by a model guess.
The checks run from the most specific evidence (an exact outlet or government
name) to the most generic (the head noun, then the NER label).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Iterable

from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from onrecord.data import read_lines

__all__ = ["source_type", "is_anonymous"]

_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
_SKIP_DEPS = {"det", "predet", "case", "punct"}
_SPACES = re.compile(r"\s+")
_ARTICLES = {"the", "a", "an"}
#: What a coordinated name is by its NER label: "China and Russia" are governments together.
_NAMED_KIND = {"PERSON": "person", "GPE": "government", "ORG": "organisation"}


# -- lexicons -----------------------------------------------------------------


def _lines(name: str) -> list[str]:
    return [line.strip().lower() for line in read_lines(f"resolve_{name}.txt")]


@cache
def _words(name: str) -> frozenset[str]:
    """A ``resolve_<name>.txt`` list as a set (entries with ``=`` give their left side)."""
    return frozenset(line.split("=", 1)[0].strip() for line in _lines(name))


@cache
def _mapping(name: str) -> dict[str, str]:
    """A ``resolve_<name>.txt`` list of ``key = value`` lines (a bare key maps to "")."""
    out: dict[str, str] = {}
    for line in _lines(name):
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out


def _fold(word: str) -> str:
    """``word`` case-folded with its accents dropped ("Calderón" is "calderon", "José" is "jose"):
    how names are compared where one text spells them with accents and another without."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


def _given_gender(word: str) -> str | None:
    """"m" or "f" for a given name that is strongly one ("Hillary", "José"), else None."""
    return _mapping("given_names").get(_fold(word)) or None


def _norm(text: str) -> str:
    """Lowercase, straight apostrophes, single spaces, no leading "the": a lookup key."""
    text = _SPACES.sub(" ", text.replace("\u2019", "'").strip().lower())
    return text[4:] if text.startswith("the ") else text


# -- typing -------------------------------------------------------------------


def _is_plural(tok: Token) -> bool:
    return tok.tag_ in ("NNS", "NNPS") or "Plur" in tok.morph.get("Number")


def _modified_forms(tok: Token) -> set[str]:
    """ "modifier head" pairs for a head and each adjective/compound before it ("editorial board")."""
    lemma = tok.lemma_.lower() or tok.text.lower()
    return {f"{c.text.lower()} {lemma}" for c in tok.lefts if c.dep_ in ("amod", "compound")}


def _named_by_person(tok: Token) -> bool:
    """Whether a person's name qualifies the head: "Clinton aides", "Obama's aides"."""
    return any(c.dep_ in ("compound", "poss") and c.ent_type_ == "PERSON" for c in tok.lefts)


def _noun_type(tok: Token) -> str | None:
    """The type a head word implies by itself, or None when the lists say nothing."""
    low, lemma = tok.text.lower(), tok.lemma_.lower() or tok.text.lower()
    forms = (low, lemma)
    proper = tok.pos_ == "PROPN"
    if proper and low in _words("media_words"):
        return "media_outlet"
    if not proper and any(f in _words("media_nouns") for f in (*forms, *_modified_forms(tok))):
        return "media_outlet"
    if low in _words("anonymous_nouns"):
        # A named boss's staff ("Clinton aides") is a known group, not anonymous sourcing.
        return "group" if _is_plural(tok) and _named_by_person(tok) else "anonymous"
    if low in _words("report_nouns"):
        return "unspecified_reports"
    if any(f in _words("poll_nouns") for f in forms):
        return "poll_or_study"
    if not proper and any(f in _words("document_nouns") for f in forms):
        return "document"
    if any(f in _words("government_nouns") or f in _words("official_nouns") for f in forms):
        return "government"
    if any(f in _words("organisation_nouns") for f in forms):
        # "the Senate banking committee": a body of a government institution is government.
        return "government" if _government_modifier(tok) else "organisation"
    if low in _words("group_nouns"):
        return "group"
    if not proper and lemma in _words("person_nouns"):
        return "group" if _is_plural(tok) else "person"
    return None


#: What a head noun's commonest WordNet sense makes a source (``resolve_noun_senses.txt``).
_SENSE_TYPES = {"person": "person", "communication": "document"}


def _sense_type(tok: Token) -> str | None:
    """The type a common noun's most frequent WordNet sense implies ("reader", "story"), or None.

    The last word-level evidence: the hand-written lists above know news usage ("report" is
    unspecified reports, "panel" a government body) and WordNet does not, so it only fills in
    for nouns they leave out.
    """
    if tok.pos_ != "NOUN":
        return None
    kind = _SENSE_TYPES.get(_mapping("noun_senses").get(tok.lemma_.lower() or tok.text.lower(), ""))
    if kind == "person" and _is_plural(tok):
        return "group"
    return kind


def _says_unnamed(text: str) -> bool:
    """Whether the wording itself marks a source as unnamed ("familiar with", "on condition of anonymity")."""
    lowered = " " + _SPACES.sub(" ", text.lower()) + " "
    return any(f" {p} " in lowered for p in _words("anonymous_patterns"))


def _government_modifier(tok: Token) -> bool:
    """Whether a modifier of ``tok`` is itself a government name ("Senate", "House")."""
    names = _words("government_names")
    return any(c.dep_ in ("compound", "amod", "poss") and _norm(c.text) in names for c in tok.lefts)


def _trimmed(tokens: SpacySpan) -> tuple[str, Token | None]:
    """The span's text without leading determiners and trailing possessive, and its head."""
    toks = list(tokens)
    while toks and (toks[0].text.isspace() or toks[0].dep_ in _SKIP_DEPS and toks[0].text.lower() in _ARTICLES):
        toks.pop(0)
    while toks and (toks[-1].pos_ == "PUNCT" or toks[-1].text.isspace() or toks[-1].tag_ == "POS"):
        toks.pop()
    if not toks:
        return "", None
    core = tokens.doc[toks[0].i : toks[-1].i + 1]
    return core.text, core.root


def _has_title(tokens: SpacySpan, head: Token) -> bool:
    titles = _words("titles")
    return any(t.text.lower() in titles for t in tokens if t.i < head.i)


def source_type(
    tokens: SpacySpan,
    ner_label: str | None = None,
    *,
    descriptions: Iterable[str] = (),
) -> str:
    """The entity type (one of ``onrecord.model.ENTITY_TYPES``) of a source mention.

    ``tokens`` is the mention as a spaCy span; ``ner_label`` the NER label of the
    name it carries, if any (taken from the head token when not given);
    ``descriptions`` the roles the article gives the name ("Russian media
    outlet"), which type an otherwise unknown name ("Mozhem Obyasnit").
    """
    text, head = _trimmed(tokens)
    if head is None:
        return "unknown"
    key = _norm(text)
    low = head.text.lower()
    kind = _mapping("pronouns").get(low)
    if (kind is not None or low in _words("generic_pronouns")) and len(tokens) <= 2:
        # A bare pronoun: its type is its antecedent's; alone it says only this much.
        if kind in ("m", "f"):
            return "person"
        if kind == "pl" or low in _words("generic_pronouns"):
            return "group"  # "they"; a "we" or "you" no one is found for speaks for people in general
        return "person" if kind == "first" else "unknown"  # an "I" no one is found for
    if head.pos_ == "PRON" and low not in _words("group_nouns"):
        return "unknown"
    words = text.split()
    while len(words) > 1 and words[0].islower() and words[0] not in _words("name_joiners"):
        words.pop(0)  # "the federal Securities and Exchange Commission": the name after its description
    keys = {key, _norm(" ".join(words))}
    if keys & _words("media_outlets") and any(ch.isupper() for ch in text):
        return "media_outlet"  # "Insider", not "an insider"
    if keys & _words("government_names"):
        return "government"
    label = ner_label or (head.ent_type_ if head.ent_type_ in _NAME_LABELS else None)
    if label == "PERSON" and head.pos_ == "NOUN" and _is_plural(head):
        label = None  # "Scholars" opening a sentence, read as a name
    counted = _counted(head)
    if counted is not None:
        return source_type(tokens.doc[counted.left_edge.i : counted.right_edge.i + 1])
    if label == "PERSON" or (head.pos_ == "PROPN" and _has_title(tokens, head)):
        return "person"
    if head.pos_ != "PROPN" and _says_unnamed(text):
        return "anonymous"
    conjuncts = [c for c in head.conjuncts if c.i > head.i and c.i < tokens.end]
    if conjuncts and _one_referent(head, conjuncts):
        conjuncts = []  # "the former secretary of state and current nominee": one person, two roles
    if conjuncts:
        kinds = {_noun_type(t) or _NAMED_KIND.get(t.ent_type_) for t in (head, *conjuncts)}
        return kinds.pop() if len(kinds) == 1 and None not in kinds and "person" not in kinds else "group"
    if any(t.text.lower() in _words("media_words") and t.pos_ == "PROPN" for t in _name_of(head)) and label in (
        "ORG",
        "WORK_OF_ART",
        None,
    ):
        return "media_outlet"
    if _unnamed_official(head):
        return "anonymous"
    implied = _noun_type(head)
    if implied is not None:
        return implied
    for description in descriptions:
        implied = _description_type(description)
        if implied is not None:
            return implied
    if label == "ORG":
        return "organisation"
    if label == "GPE":
        return "government"
    implied = _sense_type(head)
    if implied is not None:
        return implied
    if label == "NORP" or (head.pos_ == "NOUN" and _is_plural(head)):
        return "group"  # unlisted plural speakers ("environmentalists") are people
    return "unknown"


def _counted(head: Token) -> Token | None:
    """ "dozens of papers ...", "many of his admirers": the noun a quantity word counts."""
    lemma = head.lemma_.lower() or head.text.lower()
    if lemma not in _words("quantity_nouns"):
        return None
    for prep in head.children:
        if prep.dep_ == "prep" and prep.text.lower() == "of":
            objects = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
            if objects and _is_plural(objects[0]):
                return objects[0]
    return None


def _unnamed_official(head: Token) -> bool:
    """ "a Homeland Security Department official": one unnamed official is anonymous sourcing."""
    lemma = head.lemma_.lower() or head.text.lower()
    if lemma not in _words("official_nouns") or _is_plural(head):
        return False
    return any(c.dep_ == "det" and c.text.lower() in ("a", "an", "another") for c in head.children)


def _one_referent(head: Token, conjuncts: list[Token]) -> bool:
    """Singular common nouns under one determiner name one referent by several roles."""
    nouns = (head, *conjuncts)
    if any(t.pos_ != "NOUN" or _is_plural(t) for t in nouns):
        return False
    return not any(c.dep_ == "det" for t in conjuncts for c in t.children)


def _name_of(head: Token) -> list[Token]:
    """The head and the proper-noun compounds before it: the name a media word must be in."""
    out = [head]
    for child in head.lefts:
        if child.dep_ == "compound" and child.pos_ == "PROPN":
            out.extend(child.subtree)
    return out


def _description_type(description: str) -> str | None:
    """The type a role description implies through its head noun ("Russian media outlet", "a political
    consultant")."""
    words = description.lower().split(" of ")[0].split()
    if words and words[-1] in _words("person_nouns"):
        return "person"
    for word in reversed(words):
        if word in _words("media_nouns"):
            return "media_outlet"
        if word in _words("government_nouns"):
            return "government"
        if word in _words("organisation_nouns"):
            return "organisation"
    return None


# -- anonymity ----------------------------------------------------------------

_HEAD_STOP = re.compile(
    r"\s(?:of|from|for|with|in|at|on|who|that|close|familiar|briefed|knowledgeable|involved)\s|,"
)


def is_anonymous(entity_type: str, text: str) -> bool:
    """Whether a speaker of this type and wording is anonymous sourcing.

    Anonymous sources and unspecified reports always are; an unnamed group or
    government that speaks through officials, diplomats, aides and the like
    ("Ukrainian officials", "former Western diplomats") is too, since the reader
    cannot check who spoke; a named body ("the Kremlin", "The Guardian", "the
    Obama administration") is not, and neither is an unnamed group of anyone else
    ("experts", "voters"), whom the reader can place.
    """
    if entity_type in ("anonymous", "unspecified_reports"):
        return True
    if entity_type not in ("group", "government"):
        return False
    core = _HEAD_STOP.split(" " + text.strip() + " ", maxsplit=1)[0].split()
    if not core:
        return False
    if _says_unnamed(text):
        return True  # "people familiar with the matter"
    head = core[-1]
    if not any(w.lower().strip(",") in _words("anonymous_roles") for w in core):
        return False  # "experts", "voters", "we": a group the reader can place
    if head[:1].isupper() and head.lower() not in _words("official_nouns"):
        return False  # a name ("Democrats", "the Pentagon"); "Officials said" only opens its sentence
    if _norm(" ".join(core)) in _words("government_names"):
        return False
    return head.lower() not in _words("government_nouns")
