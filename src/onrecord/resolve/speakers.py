"""Who each attribution's source is, within one article: a multi-pass sieve.

A ledger is only useful if "Gallyamov", "he" and "the former speechwriter"
all count for Abbas Gallyamov, and if "Clinton" is not silently merged into
the wrong Clinton. So the passes run from the most precise to the least, and
each only fills what the ones before left open:

1. names: the full name, a bare surname or first name, a title + surname
   ("Mr. Gallyamov"), each to the full PERSON name the article uses; a
   surname two people share goes to the one mentioned most recently;
2. roles the article itself establishes ("X is a political consultant",
   "X, a consultant,", "Wagner Group founder X"): a later definite "the
   former speechwriter" whose head noun matches goes to X;
3. pronouns (he/she/they/it, who, I/we): the most recent compatible earlier
   source or named PERSON subject, across sentences and paragraphs; a
   first-person pronoun inside a quote is the quote's speaker.

Roles run before pronouns (unlike the brief's numbering) because they are
more precise and a pronoun may point back to a source a role resolved.
What no pass resolves stays its own local mention with ``resolved=False``:
a visible gap rather than a confident wrong name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from onrecord.model import Attribution, Entity, Span
from onrecord.resolve.types import _mapping, _norm, _trimmed, _words, source_type

__all__ = ["resolve_speakers"]

#: NER labels that are never names of speakers.
_NOT_NAMES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
#: NER labels whose names are entities even when they never speak.
_KEPT = {"PERSON", "ORG"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
_NOT_NAME_TAILS = {"VERB", "AUX", "ADP", "PART", "PUNCT", "SPACE", "SCONJ", "CCONJ"}
_DEFINITE = {"the", "this", "that"}
_INDEFINITE = {"a", "an", "another", "one"}
_ANAPHORIC_TYPES = {"person", "organisation", "unknown", "media_outlet"}


@dataclass
class _Cluster:
    """One referent under construction: grows mentions, roles and a best name."""

    name: str
    label: str | None = None  # NER label of its names, if any
    type: str = ""
    mentions: list[Span] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)  # role head -> where established
    words: tuple[str, ...] = ()  # lower-cased name words (persons)
    gender: str | None = None
    plural: bool = False
    resolved: bool = True
    speaker: bool = False
    fixed_name: bool = False  # the publisher keeps its given name
    typed_by: SpacySpan | None = None

    def last_before(self, pos: int) -> int:
        return max((m.start for m in self.mentions if m.start < pos), default=-1)


@dataclass
class _Name:
    """A name the NER found, without titles, determiners or possessive."""

    tokens: SpacySpan
    label: str
    title: str | None  # lower-cased title before or inside the name ("mr.", "sen.")
    words: tuple[str, ...] = ()  # lower-cased, filled in by _clean_name
    head: Token | None = None  # the span's root, computed once


@dataclass
class _Source:
    attribution: Attribution
    spans: list[Span]
    tokens: SpacySpan | None
    head: Token | None
    cluster: _Cluster | None = None


# -- small helpers --------------------------------------------------------------


def _span(tokens: SpacySpan) -> Span:
    return Span(tokens.start_char, tokens.end_char, tokens.text)


def _gender(title: str | None) -> str | None:
    if title in _words("honorifics_male"):
        return "m"
    if title in _words("honorifics_female"):
        return "f"
    return None


def _role_key(word: str) -> str:
    """A role's head noun without ex-/former prefixes: "ex-speechwriter" -> "speechwriter"."""
    parts = [p for p in word.lower().split("-") if p]
    while len(parts) > 1 and parts[0] in _words("role_prefixes"):
        parts.pop(0)
    return "-".join(parts)


def _head_lemma(tok: Token) -> str:
    return _role_key(tok.lemma_ or tok.text.lower())


def _clean_name(doc: Doc, ent: SpacySpan) -> _Name | None:
    """Strip determiners, titles and a trailing possessive off an NER span."""
    titles = _words("titles")
    toks = list(ent)
    title = None
    while toks and (toks[0].text.lower() in titles or toks[0].text.lower() in _DEFINITE):
        if toks[0].text.lower() in titles:
            title = toks[0].text.lower()
        toks.pop(0)
    while len(toks) > 1 and (toks[-1].tag_ == "POS" or toks[-1].pos_ in _NOT_NAME_TAILS):
        toks.pop()  # "Obama Says" (a headline), "Trump 's"
    if not toks:
        return None
    start = toks[0].i
    if title is None and start > 0 and doc[start - 1].text.lower() in titles:
        title = doc[start - 1].text.lower()
    tokens = doc[start : toks[-1].i + 1]
    words = tuple(t.text.lower().replace("\u2019", "'") for t in toks)
    return _Name(tokens, ent.label_, title, words, tokens.root)


# -- role descriptions -------------------------------------------------------------


def _parts(doc: Doc, noun: Token) -> list[tuple[str, str, int]]:
    """Role phrases under ``noun``, split at coordination: (text, head, offset)."""
    group = {noun.i, *(c.i for c in noun.conjuncts)}
    drop: set[int] = set()
    for tok in noun.subtree:
        if tok.dep_ in ("relcl", "acl", "advcl", "appos") and tok.i != noun.i:
            drop.update(t.i for t in tok.subtree)
    kept = [t for t in noun.subtree if t.i not in drop]
    chunks: list[list[Token]] = [[]]
    for tok in kept:
        if (tok.dep_ == "cc" or tok.text == ",") and tok.head.i in group:
            chunks.append([])
        else:
            chunks[-1].append(tok)
    out = []
    for chunk in chunks:
        while chunk and (chunk[0].dep_ in ("det", "poss", "punct", "cc") or chunk[0].text.isspace()):
            chunk.pop(0)
        while chunk and (chunk[-1].pos_ == "PUNCT" or chunk[-1].text.isspace()):
            chunk.pop()
        if not chunk:
            continue
        before_prep = []
        for tok in chunk:
            if tok.pos_ == "ADP":
                break
            before_prep.append(tok)
        nouns = [t for t in before_prep if t.pos_ in ("NOUN", "PROPN") and any(ch.isalpha() for ch in t.text)]
        if not nouns:
            continue
        text = doc[chunk[0].i : chunk[-1].i + 1].text
        out.append((text, _head_lemma(nouns[-1]), chunk[0].idx))
    return out


def _descriptions(doc: Doc, name: _Name) -> list[tuple[str, str, int]]:
    """What the article says the named referent is, where it first says it.

    Copular ("X is a political consultant and ex-speechwriter to Putin"),
    appositive ("X, a consultant," / "the media outlet X") and pre-name
    modifier ("Wagner Group founder X") roles; a role title ("Sen. X") gives
    the role alone.
    """
    head = name.head
    found: list[tuple[str, str, int]] = []
    if head.dep_ in _SUBJECT_DEPS and head.head.lemma_ == "be":
        for c in head.head.children:
            if c.dep_ == "attr" and c.pos_ == "NOUN":
                found += _parts(doc, c)
    for c in head.children:
        if c.dep_ == "appos" and c.pos_ == "NOUN":
            found += _parts(doc, c)
    if head.dep_ == "appos" and head.head.pos_ == "NOUN" and head.head.i < name.tokens.start:
        noun = head.head
        left = [t for t in noun.lefts if t.dep_ not in ("det", "poss", "punct", "predet")]
        first = min((t.left_edge.i for t in left), default=noun.i)
        found.append((doc[first : noun.i + 1].text, _head_lemma(noun), doc[first].idx))
    before = doc[name.tokens.start - 1] if name.tokens.start > 0 else None
    role_title = _mapping("titles").get(before.text.lower()) if before is not None else None
    if before is not None and before.pos_ == "NOUN" and before.head.i in range(name.tokens.start, name.tokens.end):
        first = before.left_edge.i
        while first < before.i and doc[first].dep_ in ("det", "poss", "punct"):
            first += 1
        found.append((doc[first : before.i + 1].text, _head_lemma(before), doc[first].idx))
    elif role_title:
        found.append(("", role_title, before.idx))
    elif name.title and _mapping("titles").get(name.title):
        found.append(("", _mapping("titles")[name.title], name.tokens.start_char))
    return found


# -- the sieve ------------------------------------------------------------------------


class _Resolver:
    """State for one article; ``run`` returns the entities in order of first mention."""

    def __init__(self, doc: Doc, attributions: list[Attribution], publisher: str | None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: read it once
        self.attributions = attributions
        self.publisher = publisher
        self.clusters: list[_Cluster] = []
        self.owner: dict[int, _Cluster] = {}  # token index -> cluster of the name it is in
        self.by_key: dict[str, _Cluster] = {}  # normalised name -> non-person cluster
        self.full: list[_Cluster] = []  # persons with a full (two-word or more) name
        self.names: list[_Name] = []

    def _new(self, name: str, **kw: object) -> _Cluster:
        cluster = _Cluster(name, **kw)  # type: ignore[arg-type]
        self.clusters.append(cluster)
        return cluster

    # names ----------------------------------------------------------------------------

    def _collect_names(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ not in _NOT_NAMES:
                name = _clean_name(self.doc, ent)
                if name is not None:
                    self.names.append(name)
        for name in self.names:
            if name.label == "PERSON" and len(name.words) >= 2:
                self._claim(name, self._full_person(name))
        for name in self.names:
            if name.label == "PERSON" and len(name.words) == 1:
                pos = name.tokens.start_char
                cluster = self._person(name.words, pos, _gender(name.title))
                if cluster is None:
                    cluster = self._new(name.tokens.text, label="PERSON", words=name.words)
                    self.full.append(cluster)  # a lone surname ("Putin") is the best name there is
                self._claim(name, cluster)
            elif name.label == "ORG" and (person := self._person(name.words, name.tokens.start_char, None)):
                self._claim(name, person)  # "Trump" mislabelled ORG where a Donald Trump is known
            elif name.label != "PERSON":
                key = _norm(name.tokens.text)
                cluster = self.by_key.get(key)
                if cluster is None:
                    cluster = self.by_key[key] = self._new(name.tokens.text, label=name.label)
                self._claim(name, cluster)
        self._collect_missed_surnames()

    def _collect_missed_surnames(self) -> None:
        """Add known surnames the NER missed ("Prigozhin" opening a quote)."""
        surnames = {c.words[-1] for c in self.full}
        if not surnames:
            return
        # A regex over the text, not a walk over every token: this runs on every article.
        pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(surnames)) + r")(?!\w)"
        for m in re.finditer(pattern, self.text, flags=re.IGNORECASE):
            found = self.doc.char_span(m.start(), m.end())
            if found is None or len(found) != 1:
                continue
            tok = found[0]
            if tok.pos_ != "PROPN" or tok.i in self.owner:
                continue
            if tok.dep_ == "compound" or any(c.dep_ == "compound" for c in tok.children):
                continue  # part of a longer name the NER did not see
            cluster = self._person((tok.text.lower(),), tok.idx, None)
            if cluster is not None:
                cluster.mentions.append(_span(self.doc[tok.i : tok.i + 1]))
                self.owner[tok.i] = cluster

    def _full_person(self, name: _Name) -> _Cluster:
        words = name.words
        for cluster in self.full:
            same = cluster.words == words
            variant = len(words) >= 2 and cluster.words[:1] == words[:1] and cluster.words[-1:] == words[-1:]
            if same or variant:
                if len(words) > len(cluster.words):
                    cluster.words, cluster.name = words, name.tokens.text
                return cluster
        cluster = self._new(name.tokens.text, label="PERSON", words=words)
        self.full.append(cluster)
        return cluster

    def _person(self, words: tuple[str, ...], pos: int, gender: str | None) -> _Cluster | None:
        """The person a (possibly partial) name means at ``pos``: exact, surname, first name."""
        for cluster in self.full:
            if cluster.words == words:
                return cluster
        if len(words) != 1:
            return None
        (word,) = words
        candidates = [c for c in self.full if len(c.words) > 1 and c.words[-1] == word]
        candidates = candidates or [c for c in self.full if len(c.words) > 1 and c.words[0] == word]
        if gender is not None:  # "Mrs. Clinton": a known woman first, then the unknowns
            same = [c for c in candidates if c.gender == gender]
            candidates = same or [c for c in candidates if c.gender is None]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        seen = [c for c in candidates if c.last_before(pos) >= 0]
        if seen:
            return max(seen, key=lambda c: c.last_before(pos))
        return min(candidates, key=lambda c: min(m.start for m in c.mentions))

    def _claim(self, name: _Name, cluster: _Cluster) -> None:
        cluster.mentions.append(_span(name.tokens))
        cluster.gender = cluster.gender or _gender(name.title)
        for tok in name.tokens:
            self.owner[tok.i] = cluster
        for text, role, pos in _descriptions(self.doc, name):
            if text and text not in cluster.descriptions:
                cluster.descriptions.append(text)
            if role and (role not in cluster.roles or pos < cluster.roles[role]):
                cluster.roles[role] = pos

    def _add_publisher(self) -> None:
        if not self.publisher:
            return
        key = _norm(self.publisher)
        cluster = self.by_key.get(key) or self._new(self.publisher, label="ORG")
        cluster.name, cluster.type, cluster.fixed_name = self.publisher, "media_outlet", True
        self.by_key[key] = cluster
        forms = [self.publisher]
        words = self.publisher.split()
        if len(words) >= 2 and words[-1][:1].isupper():
            forms.append(words[-1])  # "Insider" for "Business Insider"
            self.by_key.setdefault(_norm(words[-1]), cluster)
        for form in forms:
            for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", self.text):
                tokens = self.doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if tokens is None or any(self.owner.get(t.i) not in (None, cluster) for t in tokens):
                    continue
                if form != self.publisher and tokens.root.pos_ != "PROPN":
                    continue
                if not any(s.start <= m.start() < s.end for s in cluster.mentions):
                    cluster.mentions.append(Span.of(self.text, m.start(), m.end()))
                for t in tokens:
                    self.owner[t.i] = cluster

    # sources ----------------------------------------------------------------------------

    def _sources(self) -> list[_Source]:
        out = []
        for attribution in self.attributions:
            spans = sorted(attribution.source)
            if not spans:
                continue
            tokens = self.doc.char_span(spans[0].start, spans[0].end, alignment_mode="expand")
            head = _trimmed(tokens)[1] if tokens is not None and len(tokens) else None
            out.append(_Source(attribution, spans, tokens, head))
        out.sort(key=lambda s: s.spans[0].start)
        return out

    def _by_name(self, src: _Source) -> _Cluster | None:
        """Pass 1: the source is, or is headed by, a name."""
        head, tokens = src.head, src.tokens
        if head is None or tokens is None:
            return None
        if head.i in self.owner:
            return self.owner[head.i]
        for c in head.children:
            if c.dep_ == "appos" and c.i in self.owner and self.owner[c.i].label == "PERSON":
                return self.owner[c.i]  # "the finance minister, Lou Jiwei,"
        if head.pos_ != "PROPN":
            return None
        titles = _words("titles")
        words = [t for t in tokens if t.i <= head.i and t.pos_ == "PROPN" and t.text.lower() not in titles]
        title = next((t.text.lower() for t in tokens if t.i < head.i and t.text.lower() in titles), None)
        key = tuple(t.text.lower() for t in words)
        person = self._person(key, src.spans[0].start, _gender(title)) if key else None
        if person is not None:
            return person
        if title is not None and words:
            text = self.doc[words[0].i : words[-1].i + 1].text
            cluster = self._new(text, label="PERSON", words=key, gender=_gender(title))
            self.full.append(cluster)
            return cluster
        key = _norm(_trimmed(tokens)[0])
        if key not in self.by_key:
            self.by_key[key] = self._new(src.spans[0].text, label=head.ent_type_ or "PROPN")
        return self.by_key[key]

    def _by_role(self, src: _Source) -> _Cluster | None:
        """Pass 2: "the former speechwriter" -> whoever the article called a speechwriter."""
        head = src.head
        if head is None or head.pos_ != "NOUN" or head.tag_ == "NNS":
            return None
        if not any(c.dep_ == "det" and c.text.lower() in _DEFINITE for c in head.children):
            return None
        role, pos = _head_lemma(head), src.spans[0].start
        candidates = [c for c in self.clusters if c.roles.get(role, pos) < pos]
        if not candidates:
            return None
        return max(candidates, key=lambda c: c.last_before(pos))

    def _compatible(self, kind: str, cluster: _Cluster) -> bool:
        kind_type = cluster.type or ("person" if cluster.label == "PERSON" else "")
        if kind in ("m", "f"):
            return kind_type == "person" and not cluster.plural and cluster.gender in (None, kind)
        if kind == "pl":
            return kind_type in ("group", "organisation", "government") or (
                kind_type == "anonymous" and cluster.plural
            )
        if kind == "sg":
            singular_things = ("organisation", "government", "media_outlet", "document", "poll_or_study")
            return kind_type in singular_things and not cluster.plural
        return False

    def _by_pronoun(
        self, src: _Source, earlier: list[_Source], subjects: list[tuple[int, _Cluster]]
    ) -> _Cluster | None:
        """Pass 3: the latest compatible earlier source, or a later named PERSON subject."""
        head = src.head
        if head is None or src.tokens is None or len(src.tokens) > 2:
            return None
        kind = _mapping("pronouns").get(head.text.lower())
        if kind == "rel":
            return self._antecedent_of_relative(head, earlier)
        if kind not in ("m", "f", "pl", "sg"):
            return None
        pos = src.spans[0].start
        best: tuple[int, _Cluster] | None = None
        for prev in reversed(earlier):
            if prev.cluster is not None and prev.spans[0].start < pos and self._compatible(kind, prev.cluster):
                best = (prev.spans[0].start, prev.cluster)
                break
        if kind in ("m", "f"):
            for start, cluster in reversed(subjects):
                if start < pos and self._compatible(kind, cluster):
                    if best is None or start > best[0]:
                        best = (start, cluster)
                    break
        return best[1] if best else None

    def _antecedent_of_relative(self, rel: Token, earlier: list[_Source]) -> _Cluster | None:
        """ "Muhammad Ali, who joked" -> Ali; "a voter who said" -> "a voter" as its own entity."""
        if rel.head.dep_ != "relcl":
            return None
        noun = rel.head.head
        if noun.i in self.owner:
            return self.owner[noun.i]
        for prev in earlier:
            if prev.cluster is not None and prev.tokens is not None and prev.tokens.start <= noun.i < prev.tokens.end:
                return prev.cluster
        if noun.pos_ not in ("NOUN", "PROPN"):
            return None
        phrase = self.doc[noun.left_edge.i : noun.i + 1]
        cluster = self._local(phrase.text, phrase, noun)
        cluster.mentions.append(_span(phrase))
        return cluster

    def _by_quote(self, src: _Source, sources: list[_Source]) -> _Cluster | None:
        """A first-person source ("I") inside a quote is the quote's speaker."""
        head = src.head
        if head is None or _mapping("pronouns").get(head.text.lower()) != "first":
            return None
        pos, best = src.spans[0].start, None
        for other in sources:
            for c in other.attribution.content:
                if c.start <= pos < c.end and other is not src and other.cluster is not None:
                    if best is None or c.end - c.start < best[0]:
                        best = (c.end - c.start, other.cluster)
        return best[1] if best else None

    def _person_subjects(self) -> list[tuple[int, _Cluster]]:
        """Named PERSON subjects outside any quoted or reported content, in text order."""
        contents = [c for a in self.attributions for c in a.content]
        out = []
        for name in self.names:
            if name.label != "PERSON" or name.head.dep_ not in _SUBJECT_DEPS:
                continue
            start = name.tokens.start_char
            if not any(c.start <= start < c.end for c in contents):
                out.append((start, self.owner[name.head.i]))
        return out

    def _local(self, text: str, tokens: SpacySpan | None, head: Token | None) -> _Cluster:
        """Pass 4: an unresolved source stays itself, merged only with identical wording."""
        stype = source_type(tokens) if tokens is not None else "unknown"
        dets = {c.text.lower() for c in head.children if c.dep_ in ("det", "poss")} if head is not None else set()
        pronoun = head is not None and head.text.lower() in _mapping("pronouns") and len(tokens or ()) <= 2
        named = tokens is not None and any(t.pos_ == "PROPN" for t in tokens)  # "the Clinton campaign"
        # "the company" points at something the article never named: not resolved.
        anaphoric = pronoun or (
            bool(dets & _DEFINITE) and not named and head.pos_ == "NOUN" and stype in _ANAPHORIC_TYPES
        )
        indefinite = bool(dets & _INDEFINITE)  # two "a source"s need not be one source
        key = "\0" + _norm(text)  # apart from the name keys
        if not (pronoun or indefinite) and key in self.by_key:
            return self.by_key[key]
        cluster = self._new(text, type=stype, resolved=not anaphoric, typed_by=tokens)
        if not (pronoun or indefinite):
            self.by_key[key] = cluster
        return cluster

    # the whole sieve ------------------------------------------------------------------

    def run(self) -> list[Entity]:
        self._collect_names()
        self._add_publisher()
        sources = self._sources()
        for src in sources:
            src.cluster = self._by_name(src)
            if src.cluster is not None:
                self._mark(src)
        for src in sources:
            if src.cluster is None:
                src.cluster = self._by_role(src)
                if src.cluster is not None:
                    self._mark(src)
        self._type_clusters()
        subjects = self._person_subjects()
        for i, src in enumerate(sources):
            if src.cluster is None:
                src.cluster = self._by_pronoun(src, sources[:i], subjects)
                if src.cluster is not None:
                    self._mark(src)
        for src in sources:
            if src.cluster is None:
                src.cluster = self._by_quote(src, sources)
                if src.cluster is not None:
                    self._mark(src)
        for src in sources:
            if src.cluster is None:
                src.cluster = self._local(" ".join(s.text for s in src.spans), src.tokens, src.head)
                self._mark(src)
        self._type_clusters()
        return self._entities(sources)

    def _mark(self, src: _Source) -> None:
        cluster = src.cluster
        assert cluster is not None
        cluster.speaker = True
        for span in src.spans:
            cluster.mentions.append(span)
        if src.head is not None and cluster.typed_by is None and cluster.label != "PERSON":
            cluster.typed_by = src.tokens
            if not cluster.fixed_name and cluster.label is not None:
                cluster.name = " ".join(s.text for s in src.spans)  # the source as written
        if src.head is not None and cluster.label != "PERSON":
            cluster.plural = cluster.plural or src.head.tag_ in ("NNS", "NNPS") or bool(src.head.conjuncts)

    def _kept(self, cluster: _Cluster) -> bool:
        """Whether the cluster becomes an entity: speakers, PERSON/ORG names, the publisher."""
        return cluster.speaker or cluster.label in _KEPT or cluster.fixed_name

    def _type_clusters(self) -> None:
        for cluster in self.clusters:
            if (cluster.type and cluster.typed_by is None) or not self._kept(cluster):
                continue
            if cluster.label == "PERSON":
                cluster.type = "person"
                continue
            tokens = cluster.typed_by
            if tokens is None:
                first = min(cluster.mentions, key=lambda m: m.start)
                tokens = self.doc.char_span(first.start, first.end, alignment_mode="expand")
            if tokens is None:
                cluster.type = "unknown"
                continue
            label = cluster.label if cluster.label in ("ORG", "GPE", "NORP", "PERSON") else None
            cluster.type = source_type(tokens, label, descriptions=cluster.descriptions)
            if cluster.fixed_name:
                cluster.type = "media_outlet"

    def _entities(self, sources: list[_Source]) -> list[Entity]:
        kept = [c for c in self.clusters if self._kept(c)]
        kept.sort(key=lambda c: min((m.start for m in c.mentions), default=len(self.text)))
        entities: dict[int, Entity] = {}
        for n, cluster in enumerate(kept, 1):
            entities[id(cluster)] = Entity(
                id=f"e{n}",
                name=cluster.name,
                type=cluster.type or "unknown",
                mentions=_outermost(cluster.mentions),
                descriptions=list(cluster.descriptions),
                resolved=cluster.resolved,
            )
        for src in sources:
            if src.cluster is not None:
                src.attribution.speaker = entities[id(src.cluster)].ref()
        return list(entities.values())


def _outermost(spans: list[Span]) -> list[Span]:
    """Sorted, without spans that sit inside another ("Guardian" in "The Guardian")."""
    ordered = sorted(set(spans), key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for span in ordered:
        if out and span.start >= out[-1].start and span.end <= out[-1].end:
            continue
        out.append(span)
    return out


def resolve_speakers(
    doc: Doc,
    attributions: list[Attribution],
    *,
    publisher: str | None = None,
) -> list[Entity]:
    """Resolve every attribution's source to an entity; return the article's entities.

    Sets ``attribution.speaker`` on each attribution that has a source. The
    entities (ids ``e1``, ``e2``, ... in order of first mention) are every
    speaker plus the PERSON and ORG names the NER finds (GPE/NORP only when
    they speak), and the ``publisher`` as a media outlet when given. Spans in
    ``attributions`` and in the result are character offsets into ``doc.text``.
    """
    return _Resolver(doc, attributions, publisher).run()
