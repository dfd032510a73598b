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
   source or named PERSON subject, across sentences and paragraphs (he and
   she kept apart by titles, first names and role nouns); a possessive is
   resolved inside its phrase ("his campaign"); a first-person pronoun inside
   a quote is the quote's speaker, and a writer's own "I" outside every
   quote is the article's writer.

Roles run before pronouns (unlike the brief's numbering) because they are
more precise and a pronoun may point back to a source a role resolved.
What no pass resolves stays its own local mention with ``resolved=False``:
a visible gap rather than a confident wrong name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from onrecord.model import Attribution, Entity, Span
from onrecord.resolve.types import _fold, _given_gender, _mapping, _noun_type, _norm, _trimmed, _words, source_type

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
_NAME_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad")})
#: Dependants that add to a phrase rather than name it: cut from canonical names.
_ASIDE_DEPS = {"relcl", "acl", "appos", "advcl"}
_LABEL = re.compile(r"[A-Z][A-Z'\-]+")  # a transcript speaker label ("WALLACE:")
_ATTRIBUTE = re.compile(r'\w+="([^"]+)"')  # markup left in the text: author="carlquintanilla"
_HANDLE = re.compile(r"@\w+")
#: A person's name as written: a capitalised word, then one or more ("Megyn Kelly", "James O'Neill").
_PERSON_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][\w'\u2019\-]+)+")
#: An outlet's person, which the NER often reads as one entity: "Fox News' Megyn Kelly".
_OUTLETS_PERSON = re.compile(rf"(?P<outlet>[A-Z][\w. ]*?)['\u2019]s? (?P<name>{_PERSON_NAME.pattern})")
#: A name with a nickname in quotation marks: Robert C. "Bobby" Scott, Marcia "Cia" Price.
_NICKNAMED = re.compile(
    r"\b(?P<given>[A-Z][a-z]+(?: [A-Z]\.)?) [\"\u201c](?P<nick>[A-Z][a-z]+)[\"\u201d] (?P<surname>[A-Z][\w'\-]*[a-z])\b"
)
#: How far back (characters) an article's focus person can be for "the governor".
_FOCUS_WINDOW = 1000


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
    fixed_type: bool = False  # made with its canonical name and type: sources do not rename it
    salient: list[int] = field(default_factory=list)  # where it is a subject or a source
    author: _Cluster | None = None  # a document's issuer, who speaks through it
    head: str = ""  # lower-cased head lemma of the mention that made a local cluster

    def last_salient_before(self, pos: int) -> int:
        return max((p for p in self.salient if p < pos), default=-1)

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


def _name_gender(words: tuple[str, ...]) -> str | None:
    """A full name's gender from its first word ("Hillary Clinton" -> "f"), if that is telling.

    A lone word says nothing: "Warren" and "Clinton" are men's first names too.
    """
    if len(words) < 2:
        return None
    return _mapping("person_genders").get(" ".join(words)) or _given_gender(words[0])


def _open_quote(before: str) -> bool:
    """Whether a quotation opened in ``before`` (the line up to a position) is still open there."""
    curly = before.count("\u201c") > before.count("\u201d")
    return curly or before.count('"') % 2 == 1


def _trimmed_name(name: str) -> str:
    """A display name without a leading "the": "the United Nations" -> "United Nations"."""
    name = _display(name)
    return name[4:] if name.lower().startswith("the ") else name


def _name_or_role_gender(name: _Name, roles: list[str]) -> str | None:
    """What a name mention says of its person's gender: title, then first name, then role."""
    gendered = _mapping("gendered_nouns")
    by_role = next((gendered[r] for r in roles if r in gendered), None)
    return _gender(name.title) or _name_gender(name.words) or by_role


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
    while toks and (toks[0].text.lower() in titles or toks[0].text.lower() in _DEFINITE
                    or (len(toks) > 1 and toks[0].pos_ in _NOT_NAME_TAILS)):
        if toks[0].text.lower() in titles:
            title = toks[0].text.lower()
        toks.pop(0)  # "Injecting Clinton's" (a gerund the NER took in)
    while len(toks) > 1 and (toks[-1].tag_ == "POS" or toks[-1].pos_ in _NOT_NAME_TAILS):
        toks.pop()  # "Obama Says" (a headline), "Trump 's"
    if not toks:
        return None
    start = toks[0].i
    if ent.label_ == "PERSON" and start == ent.start:
        while start > 0 and _untagged_given_name(doc[start - 1], doc[start]):
            start -= 1  # "Amelize Joseph" where the NER took only "Joseph"
    if title is None and start > 0 and doc[start - 1].text.lower() in titles:
        title = doc[start - 1].text.lower()
    tokens = doc[start : toks[-1].i + 1]
    return _Name(tokens, ent.label_, title, _name_words(list(tokens)), tokens.root)


def _untagged_given_name(tok: Token, name: Token) -> bool:
    """Whether ``tok``, just before a person's name, is a part of it the NER left out: a capitalised
    proper noun compounded onto the name, claimed by no other entity, and no title."""
    low = tok.text.lower()
    if not (tok.pos_ == "PROPN" and tok.dep_ == "compound" and tok.head.i >= name.i and not tok.ent_type_):
        return False
    if not tok.text.isalpha() or not tok.text[:1].isupper() or tok.text.isupper():
        return False  # "CEO John Stumpf"
    # a role or any word for a kind of person ("Spokeswoman", "Rival", "Senators") is not a name
    forms = {low, tok.lemma_.lower(), low[:-1] if low.endswith("s") else low}
    return low not in _words("titles") and not any(f in _words("person_nouns") or f in _mapping("noun_senses")
                                                   for f in forms)


def _name_words(toks: list[Token]) -> tuple[str, ...]:
    """A name's lower-cased words as written: "Holtz-Eakin" is one word, a "Jr." none."""
    words: list[str] = []
    for prev, tok in zip([None, *toks], toks):
        text = tok.text.lower().replace("\u2019", "'")
        if prev is not None and not prev.whitespace_ and tok.i == prev.i + 1:
            words[-1] += text
        else:
            words.append(text)
    kept = tuple(w for w in words if w not in _words("name_suffixes"))
    return kept or tuple(words)


def _phrase_head(tokens: SpacySpan) -> Token | None:
    """The noun a source phrase is about: its root, below a leading preposition or cue verb.

    "from the Senate banking committee" -> committee; a cue word tagged as the
    source ("said" in "said David Plouffe") -> the verb's subject.
    """
    head = _trimmed(tokens)[1] if len(tokens) else None
    while head is not None and head.pos_ == "ADP":
        objects = [c for c in head.children if c.dep_ == "pobj"]
        head = objects[0] if objects else None
    if head is not None and head.pos_ in ("VERB", "AUX") and len(tokens) == 1:
        subjects = [c for c in head.children if c.dep_ in _SUBJECT_DEPS]
        head = subjects[0] if subjects else head
    elif head is not None and head.pos_ == "VERB" and tokens[-1].pos_ == "NOUN" and tokens[-1].head == head:
        head = tokens[-1]  # "show insiders" parsed as a verb and its object
    return head


def _display(name: str) -> str:
    """A name as the ledger shows and keys it: straight apostrophes, no invisible characters, single
    plain spaces. :func:`onrecord.extract` parses normalised text already; the spaCy component parses
    the text it is given, where a name can hold a no-break space or a zero-width one."""
    return " ".join(name.translate(_NAME_CHARS).split())


def _canonical(tokens: SpacySpan, head: Token, keep_from: int | None = None) -> str:
    """A phrase's name without prepositions before it or asides after it.

    "The transcript of the debate–published by The Washington Post–" -> "The
    transcript of the debate"; "Scheiderman, a Democrat whose office ..." ->
    "Scheiderman". ``keep_from`` (a token index) drops the words before it.
    """
    if head.i < tokens.start or head.i >= tokens.end:
        return _trimmed(tokens)[0]
    drop: set[int] = set()
    for tok in head.subtree:  # an aside set off by a comma, dash or bracket
        edge = tok.left_edge.i
        if tok.dep_ in _ASIDE_DEPS and tok.i > head.i and edge > 0 and tokens.doc[edge - 1].is_punct:
            drop.update(t.i for t in tok.subtree)
    for child in head.children:
        if child.dep_ == "punct" and child.i > head.i and child.text in ("(", "–", "—", "-"):
            drop.update(t.i for t in child.subtree)
        elif head.pos_ == "PROPN" and child.dep_ == "amod" and child.i < head.i and child.text.islower():
            drop.update(t.i for t in child.subtree)  # "The nonpartisan Commission on ...": not in the name
    kept = [t for t in head.subtree if tokens.start <= t.i < tokens.end and t.i not in drop]
    if keep_from is not None:
        kept = [t for t in kept if t.i >= keep_from]
    ids = {t.i for t in kept}
    first = head.i
    while first - 1 in ids:  # contiguous to the head: a dropped word ends the name on the left too
        first -= 1
    last = head.i
    for t in kept:  # extend to the right only while contiguous: a dropped aside ends the name
        if t.i == last + 1:
            last = t.i
        elif t.i > last + 1:
            break
    while first < head.i and tokens.doc[first].pos_ in ("ADP", "PUNCT", "SPACE", "CCONJ"):
        first += 1
    if head.pos_ == "PROPN":  # "the event organizer Alliance to ...", "the federal Securities and ...": a name
        start = first + (tokens.doc[first].pos_ == "DET")
        words = start
        while words < head.i and tokens.doc[words].text.islower() and tokens.doc[words].pos_ in ("ADJ", "NOUN"):
            words += 1
        if words > start and tokens.doc[words].text[:1].isupper():
            first = words
    while last > head.i and (tokens.doc[last].pos_ in ("PUNCT", "SPACE") or tokens.doc[last].tag_ == "POS"):
        last -= 1
    return tokens.doc[first : last + 1].text


def _around(tokens: SpacySpan, head: Token | None) -> SpacySpan:
    """The part of ``tokens`` that is ``head``'s phrase (past a leading "from", say)."""
    if head is None or not (tokens.start <= head.i < tokens.end) or _trimmed(tokens)[1] is head:
        return tokens
    start = max(tokens.start, head.left_edge.i)
    end = min(tokens.end, head.right_edge.i + 1)
    return tokens.doc[start:end]


def _is_definite(head: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and (c.text.lower() in _DEFINITE or c.dep_ == "poss") for c in head.children)


def _paragraph_start(text: str, pos: int) -> bool:
    """Whether only spaces stand between ``pos`` and the previous line break (or the text start)."""
    before = text[:pos]
    line = before[before.rfind("\n") + 1 :]
    return not line.strip()


def _initials(name: str) -> str:
    """ "sec" for "the Securities and Exchange Commission": the capitalised words' first letters."""
    return "".join(w[0] for w in name.split() if w[:1].isupper()).lower()


def _same_word(a: str, b: str) -> bool:
    """Words that are one another's stems ("Democrat", "Democratic"), case ignored."""
    a, b = a.lower(), b.lower()
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short) or a == b


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one dropped letter or two swapped neighbours (a typo)."""
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


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

    def __init__(
        self, doc: Doc, attributions: list[Attribution], publisher: str | None, authors: tuple[str, ...] = ()
    ) -> None:
        self.doc = doc
        self.authors = authors
        self.text = doc.text  # Doc.text joins every token: read it once
        blank = self.text.find("\n\n")
        # where the body starts, after the headline and any subhead (-1: a text of one line)
        self.body = blank if 0 <= blank < 400 else self.text.find("\n")
        self.attributions = attributions
        self.publisher = publisher
        self.clusters: list[_Cluster] = []
        self.owner: dict[int, _Cluster] = {}  # token index -> cluster of the name it is in
        self.by_key: dict[str, _Cluster] = {}  # normalised name -> non-person cluster
        self.full: list[_Cluster] = []  # persons with a full (two-word or more) name
        self.names: list[_Name] = []
        self.aliases: dict[tuple[str, ...], _Cluster] = {}  # a nickname's form -> the person it names
        self.focus: list[tuple[int, _Cluster]] = []  # person subjects and speakers, in text order

    def _new(self, name: str, **kw: object) -> _Cluster:
        cluster = _Cluster(name, **kw)  # type: ignore[arg-type]
        self.clusters.append(cluster)
        return cluster

    # names ----------------------------------------------------------------------------

    def _collect_names(self) -> None:
        nicknamed = self._nicknamed()
        for ent in self.doc.ents:
            if any(n.tokens.start_char < ent.end_char and ent.start_char < n.tokens.end_char for n, _, _ in nicknamed):
                continue  # the NER's pieces of a nicknamed name ('Robert C. "Bobby', 'Scott')
            if ent.label_ == "PERSON" and len(ent) == 1 and ent[0].pos_ == "NOUN" and ent[0].tag_ == "NNS":
                continue  # "Scholars" opening a sentence is not a name
            split = self._outlets_person(ent)
            if split:
                self.names.extend(split)
                continue
            if ent.label_ not in _NOT_NAMES:
                name = _clean_name(self.doc, ent)
                if name is not None and _norm(name.tokens.text) in _words("media_outlets") | _words("government_names"):
                    name.label = "ORG"  # "Politifact" read as a person's name
                if name is not None:
                    self.names.append(name)
        for name, nickname, written in nicknamed:
            cluster = self._full_person(name)
            cluster.name = written
            self.aliases[nickname] = cluster
            self._claim(name, cluster)
        for name in self.names:
            if name.label == "PERSON" and len(name.words) >= 2:
                self._claim(name, self._full_person(name))
        for name in self.names:
            if name.label == "PERSON" and len(name.words) == 1:
                pos = name.tokens.start_char
                cluster = self._person(name.words, pos, _gender(name.title)) or self._typo_person(name.words[0])
                if cluster is None:
                    # A lone name no full name explains: a surname ("Putin") or a first name the
                    # article uses alone ("Melanie", "Kevin"), which does tell the gender.
                    gender = _gender(name.title) or _given_gender(name.words[0])
                    cluster = self._new(name.tokens.text, label="PERSON", words=name.words, gender=gender)
                    self.full.append(cluster)  # the best name there is
                self._claim(name, cluster)
            elif len(name.words) == 1 and (
                person := self._person(name.words, name.tokens.start_char, None) or self._typo_person(name.words[0])
            ):
                self._claim(name, person)  # "Trump" mislabelled ORG where a Donald Trump is known
            elif name.label != "PERSON":
                key = _norm(name.tokens.text)
                cluster = self.by_key.get(key)
                if cluster is None:
                    cluster = self.by_key[key] = self._new(name.tokens.text, label=name.label)
                self._claim(name, cluster)
        self._collect_missed_surnames()

    def _nicknamed(self) -> list[tuple[_Name, tuple[str, ...], str]]:
        """Names written with a nickname in quotation marks, which the NER cuts apart: each name,
        the nickname's own form ("bobby", "scott") that later mentions may use, and the name
        without the nickname ("Robert C. Scott")."""
        out = []
        for m in _NICKNAMED.finditer(self.text):
            tokens = self.doc.char_span(m.start(), m.end())
            if tokens is None or (_given_gender(m.group("given").split()[0]) is None
                                  and any(t.ent_type_ not in ("PERSON", "") for t in tokens if t.text.isalpha())):
                continue
            toks = [t for t in tokens if t.idx < m.start("nick") - 1 or t.idx >= m.start("surname")]
            before = self.doc[tokens.start - 1].text.lower() if tokens.start else ""
            name = _Name(tokens, "PERSON", before if before in _words("titles") else None, _name_words(toks), toks[-1])
            written = f"{m.group('given')} {m.group('surname')}"
            out.append((name, (m.group("nick").lower(), name.words[-1]), written))
        return out

    def _outlets_person(self, ent: SpacySpan) -> list[_Name]:
        """ "Fox News' Megyn Kelly", which the NER reads as one organisation (the outlet's name and the
        person's, apart), or as the outlet and then a "work of art" or another organisation (the
        person's name; the outlet's entity is collected on its own)."""
        match = _OUTLETS_PERSON.fullmatch(ent.text)
        outlet = None
        if match is not None and _norm(match.group("outlet")) in _words("media_outlets"):
            person = [t for t in ent if t.idx >= ent.start_char + match.start("name")]
            outlet = self.doc[ent.start : person[0].i - 1]
        elif ent.label_ != "PERSON" and _PERSON_NAME.fullmatch(ent.text) and ent.start >= 2:
            possessive = self.doc[ent.start - 1]
            # the NER may take the possessive ending into the outlet's name ("Fox News'")
            start = next((e.start for e in self.doc.ents if e.end in (possessive.i, possessive.i + 1)
                          and e.start < possessive.i), None)
            if possessive.tag_ != "POS" or start is None:
                return []
            if _norm(self.doc[start : possessive.i].text) not in _words("media_outlets"):
                return []
            person = list(ent)
        else:
            return []
        if _given_gender(person[0].text) is None and not any(t.ent_type_ in ("PERSON", "WORK_OF_ART") for t in person):
            return []  # "CNN's Climate Desk" is no one
        tokens = self.doc[person[0].i : person[-1].i + 1]
        named = [_Name(tokens, "PERSON", None, _name_words(person), tokens.root)]
        if outlet is not None:
            named.insert(0, _Name(outlet, "ORG", None, _name_words(list(outlet)), outlet.root))
        return named

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
            first = self._missed_given_name(tok)
            if first is None and (tok.dep_ == "compound" or any(c.dep_ == "compound" for c in tok.children)):
                continue  # part of a longer name the NER did not see
            cluster = self._person((tok.text.lower(),), tok.idx, None)
            if cluster is None:
                continue
            start = tok.i
            if first is not None and len(cluster.words) == 1:
                # "Mehmet Oz — Ivy League-trained ...": the full name of a person known only as "Oz"
                start = first.i
                cluster.words = (*_name_words([first]), *cluster.words)
                cluster.name = self.doc[start : tok.i + 1].text
                cluster.gender = cluster.gender or _given_gender(first.text)
            elif first is not None:
                continue
            cluster.mentions.append(_span(self.doc[start : tok.i + 1]))
            for i in range(start, tok.i + 1):
                self.owner[i] = cluster

    def _missed_given_name(self, surname: Token) -> Token | None:
        """The given name right before ``surname`` that the NER left out with it, if any."""
        if surname.i == 0:
            return None
        before = self.doc[surname.i - 1]
        if before.dep_ != "compound" or before.head != surname or before.i in self.owner:
            return None
        if not before.text[:1].isupper() or _given_gender(before.text) is None:
            return None
        return before

    def _full_person(self, name: _Name) -> _Cluster:
        words = name.words
        if words in self.aliases:
            return self.aliases[words]  # "Bobby Scott" after Robert C. "Bobby" Scott
        for cluster in self.full:
            same = cluster.words == words
            variant = len(words) >= 2 and cluster.words[:1] == words[:1] and cluster.words[-1:] == words[-1:]
            short, long = sorted((words, cluster.words), key=len)
            # "Guajardo Villarreal", "Van Voorhis": a surname of two words, the given name left off
            surname = (
                len(short) >= 2 and len(long) > len(short) and long[-len(short):] == short
                # not "Crooked Hillary Clinton" after "Hillary Clinton"
                and (short[0] in _words("surname_particles") or _given_gender(short[0]) is None)
            )
            if same or variant or surname:
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
        # A bare "Obama" in the body, paragraphs before the article names a Michelle Obama, is
        # someone the article needs no full name for: not her. (A headline may run ahead.)
        candidates = [c for c in candidates if not self._named_paragraphs_later(c, word, pos)]
        if gender is not None:  # "Mrs. Clinton": a known woman first, then the unknowns
            same = [c for c in candidates if c.gender == gender]
            candidates = same or [c for c in candidates if c.gender is None]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        # A namesake who was a subject or a speaker is the one a bare surname means
        # ("Bill Clinton criticized ... for his wife Hillary Clinton. ... Clinton said").
        salient = [c for c in candidates if c.last_salient_before(pos) >= 0]
        if salient:
            return max(salient, key=lambda c: c.last_salient_before(pos))
        seen = [c for c in candidates if c.last_before(pos) >= 0]
        if seen:
            return max(seen, key=lambda c: c.last_before(pos))
        return min(candidates, key=lambda c: min(m.start for m in c.mentions))

    def _named_paragraphs_later(self, person: _Cluster, word: str, pos: int) -> bool:
        """Whether the article uses ``word`` alone at ``pos`` and once more in its body, all in
        paragraphs before it first names ``person`` in full."""
        first = min((m.start for m in person.mentions), default=pos)
        if first <= pos or "\n" not in self.text[pos:first] or self.body < 0:
            return False
        alone = [n for n in self.names if n.words == (word,) and self.body < n.tokens.start_char < first]
        return len(alone) >= 2 and "\n" in self.text[alone[0].tokens.start_char : first]

    def _claim(self, name: _Name, cluster: _Cluster) -> None:
        cluster.mentions.append(_span(name.tokens))
        if name.head.dep_ in _SUBJECT_DEPS:
            cluster.salient.append(name.tokens.start_char)
        descriptions = _descriptions(self.doc, name)
        if name.label == "PERSON":
            cluster.gender = cluster.gender or _name_or_role_gender(name, [role for _, role, _ in descriptions])
        else:
            cluster.gender = cluster.gender or _gender(name.title)
        for tok in name.tokens:
            self.owner[tok.i] = cluster
        for text, role, pos in descriptions:
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
            head = _phrase_head(tokens) if tokens is not None and len(tokens) else None
            out.append(_Source(attribution, spans, tokens, head))
        out.sort(key=lambda s: s.spans[0].start)
        return out

    def _by_name(self, src: _Source) -> _Cluster | None:
        """Pass 1: the source is, or is headed by, a name."""
        head, tokens = src.head, src.tokens
        if head is None or tokens is None:
            return None
        special = (self._by_form(src) or self._coordinated_people(tokens) or self._person_and_others(tokens, head)
                   or self._by_campaign(head))
        if special is not None:
            return special
        pos = src.spans[0].start
        ends_in_person = self._trailing_person(tokens) or self._appositive_person(tokens, head)
        if ends_in_person is not None:
            return ends_in_person
        if head.i in self.owner:
            owner = self.owner[head.i]
            if owner.label == "NORP" and head.tag_ == "NNP" and head.text[:1].isupper():
                return None  # "The Republican", "one Democrat": a person, not the party
            if owner.label != "PERSON" and " " not in _norm(owner.name):
                longer = self._short_form(_norm(owner.name), pos)
                if longer is not None:
                    return longer  # "The Post" after "The New York Post"
            if owner.label != "PERSON" and len(tokens) == 1:
                # "Trump" inside an ORG span the NER over-extended ("the Washington Post Trump")
                person = self._person((head.text.lower(),), pos, None)
                if person is not None:
                    return person
            return owner
        for c in head.children:
            if c.dep_ == "appos" and c.i in self.owner and self.owner[c.i].label == "PERSON":
                return self.owner[c.i]  # "the finance minister, Lou Jiwei,"
        if head.pos_ == "NOUN" and head.text[:1].isupper():
            person = self._person((head.text.lower(),), pos, None)
            if person is not None:
                return person  # a known surname tagged as a common noun ("Trump charges")
        if head.pos_ != "PROPN":
            return None
        titles = _words("titles")
        words = [
            t for t in tokens
            if t.i <= head.i and t.text.lower() not in titles
            and (t.pos_ == "PROPN" or t.text == "-" and not t.whitespace_ and not t.nbor(-1).whitespace_)
        ]
        title = next((t.text.lower() for t in tokens if t.i < head.i and t.text.lower() in titles), None)
        key = _name_words(words)
        person = self._person(key, pos, _gender(title)) if key else None
        if person is not None:
            return person
        if title is not None and words:
            text = self.doc[words[0].i : words[-1].i + 1].text
            cluster = self._new(text, label="PERSON", words=key, gender=_gender(title) or _name_gender(key))
            self.full.append(cluster)
            return cluster
        key = _norm(_trimmed(tokens)[0])
        if key not in self.by_key:
            known = self._short_form(key, pos) or self._typo_of_known(key)
            if known is not None:
                return known
            self.by_key[key] = self._new(_canonical(tokens, head), label=head.ent_type_ or "PROPN")
        return self.by_key[key]

    def _by_form(self, src: _Source) -> _Cluster | None:
        """Sources whose written form names them: transcript labels, markup, handles, headlines."""
        text = src.spans[0].text
        after = self.text[src.spans[0].end : src.spans[0].end + 2].lstrip()
        if _LABEL.fullmatch(text) and after.startswith(":"):
            # "WALLACE: ..." in a transcript: the person known by that surname.
            return self._person((text.lower(),), src.spans[0].start, None) or self._keyed(
                "label:" + text.lower(), text.title(), "person"
            )
        match = _ATTRIBUTE.fullmatch(text) or _HANDLE.search(text)
        if match is not None:
            name = match.group(1) if match.re is _ATTRIBUTE else match.group(0)
            return self._keyed("handle:" + name.lower(), name, "person")
        return self._headline_person(src)

    def _headline_person(self, src: _Source) -> _Cluster | None:
        """A title-case headline source opening with a person: "Elizabeth Warren Hammers Wells Fargo CEO"."""
        tokens = src.tokens
        headline_end = self.text.find("\n")
        if tokens is None or headline_end < 0 or src.spans[0].start > headline_end:
            return None
        owner = self.owner.get(tokens[0].i)
        if owner is None or owner.label != "PERSON" or tokens.root.i in self.owner:
            return None
        after = next((t for t in tokens if self.owner.get(t.i) is not owner), None)
        if after is None or not after.text[:1].isupper():
            return None  # "Donald Trump's campaign" is the campaign, even in a headline
        return owner

    def _keyed(self, key: str, name: str, stype: str, **kw: object) -> _Cluster:
        """The one cluster for ``key`` (outside the name keys), made on first use."""
        key = "\0" + key
        if key not in self.by_key:
            self.by_key[key] = self._new(name, type=stype, fixed_type=True, **kw)
        return self.by_key[key]

    def _coordinated_people(self, tokens: SpacySpan) -> _Cluster | None:
        """ "Sens. Jon Tester (D-Mont.) and David Vitter (R-La.)": a group named by its members."""
        heads = [t for t in tokens if t.i in self.owner and self.owner[t.i].label == "PERSON" and t.dep_ == "conj"]
        if not heads:
            return None
        people: list[_Cluster] = []
        for tok in tokens:
            owner = self.owner.get(tok.i)
            if owner is not None and owner.label == "PERSON" and owner not in people:
                if tok.dep_ == "conj" or any(c.dep_ == "conj" and c in heads for c in tok.children):
                    people.append(owner)
        if len(people) < 2:
            return None
        names = [p.name for p in people]
        joined = ", ".join(names[:-1]) + " and " + names[-1]
        return self._keyed("group:" + joined.lower(), joined, "group", plural=True)

    def _person_and_others(self, tokens: SpacySpan, head: Token) -> _Cluster | None:
        """ "Trump and his aides", "Craig Bryan, head of ..., and other scientists": a named person
        and others the source does not name are a group, not the person alone."""
        person = self.owner.get(head.i)
        if person is None or person.label != "PERSON":
            return None
        # The parser may hang the others on the person's role; a singular one there is a second role
        # ("Douglas Holtz-Eakin, an economist and tax expert,").
        others = next((c for h in (head, *(c for c in head.children if c.dep_ == "appos")) for c in h.children
                       if c.dep_ == "conj" and tokens.start <= c.i < tokens.end and (h is head or c.tag_ == "NNS")),
                      None)
        if others is None or others.pos_ not in ("NOUN", "PROPN") or others.i in self.owner:
            return None
        phrase = list(self.doc[others.left_edge.i : min(others.right_edge.i + 1, tokens.end)])
        while phrase and (phrase[-1].is_punct or phrase[-1].is_space):
            phrase.pop()
        joined = f"{person.name} and {self.doc[phrase[0].i : phrase[-1].i + 1].text}"
        return self._keyed("group:" + joined.lower(), joined, "group", plural=True)

    def _trailing_person(self, tokens: SpacySpan) -> _Cluster | None:
        """ "Tulsa police Chief Chuck Jordan": role words, then the person's name, end the source."""
        toks = [t for t in tokens if not (t.is_punct or t.is_space)]
        if len(toks) < 2 or toks[-1].i not in self.owner or self.owner[toks[-1].i].label != "PERSON":
            return None
        person = self.owner[toks[-1].i]
        rest = [t for t in toks if self.owner.get(t.i) is not person]
        if any((t.pos_ in ("ADP", "VERB", "AUX", "PRON") and not t.text[:1].isupper()) or t.tag_ == "POS"
               or t.dep_ == "cc" for t in rest):
            return None
        if any(t.i in self.owner and self.owner[t.i].label == "PERSON" for t in rest):
            return None
        return person

    def _appositive_person(self, tokens: SpacySpan, head: Token) -> _Cluster | None:
        """ "An attorney for Pagliano, Mark MacDougall,": a description, then the full name set off
        by a comma at its end, names the person (whichever noun the parser hung the name on)."""
        toks = [t for t in tokens if not (t.is_punct or t.is_space)]
        if head.pos_ != "NOUN" or not toks or head.i >= toks[-1].i:
            return None
        person = self.owner.get(toks[-1].i)
        if person is None or person.label != "PERSON" or len(person.words) < 2:
            return None
        first = toks[-1].i
        while first - 1 >= tokens.start and self.owner.get(first - 1) is person:
            first -= 1
        comma = self.doc[first - 1] if first > tokens.start else None
        if comma is None or comma.text != "," or toks[-1].dep_ != "appos" or head.i >= first:
            return None
        return person

    def _surname(self, person: _Cluster) -> str:
        return person.name.split()[-1] if person.name.split() else person.name

    def _campaign(self, person: _Cluster) -> _Cluster:
        """ "Donald Trump's campaign", "the Clinton campaign": one "<surname> campaign" per person."""
        name = self._surname(person) + " campaign"
        return self._keyed("campaign:" + str(id(person)), name, "organisation", label="ORG")

    def _by_campaign(self, head: Token) -> _Cluster | None:
        if head.lemma_.lower() != "campaign":
            return None
        for child in head.children:
            if child.dep_ in ("poss", "compound") and child.i in self.owner:
                owner = self.owner[child.i]
                if owner.label == "PERSON":
                    return self._campaign(owner)
        return None

    def _typo_person(self, word: str) -> _Cluster | None:
        if len(word) < 6:
            return None
        found = [c for c in self.full if len(c.words) > 1 and _one_edit(word, c.words[-1])]
        return found[0] if len(found) == 1 else None

    def _short_form(self, key: str, pos: int) -> _Cluster | None:
        """ "The Post" after "The New York Post", "the S.E.C." after "the Securities and Exchange
        Commission": the last word or the initials of an earlier non-person name."""
        if " " in key:
            return None
        letters = key.replace(".", "")
        found = [
            c for c in self.clusters
            if c.label not in (None, "PERSON", "PROPN") and c.last_before(pos) >= 0 and " " in _norm(c.name)
            and (_norm(c.name).split()[-1:] == [key] or len(letters) >= 3 and letters == _initials(c.name))
        ]
        return max(found, key=lambda c: c.last_before(pos)) if found else None

    def _typo_of_known(self, key: str) -> _Cluster | None:
        """ "MNSBC" for MSNBC, "Scheiderman" for Schneiderman: one slip from a known name."""
        if len(key) < 5 or " " in key:
            return None
        person = self._typo_person(key)
        if person is not None:
            return person
        for outlet in _words("media_outlets"):
            if _one_edit(key, outlet):
                return self._keyed("outlet:" + outlet, outlet.upper() if len(outlet) <= 5 else outlet.title(),
                                   "media_outlet", label="ORG")
        return None

    def _by_role(self, src: _Source) -> _Cluster | None:
        """Pass 2: "the former speechwriter" -> whoever the article called a speechwriter."""
        head = src.head
        if head is None or head.pos_ != "NOUN" or head.tag_ == "NNS":
            return None
        if not any(c.dep_ == "det" and c.text.lower() in _DEFINITE for c in head.children):
            return None
        role, pos = _head_lemma(head), src.spans[0].start
        candidates = [c for c in self.clusters if c.roles.get(role, pos) < pos]
        candidates = [c for c in candidates if not self._conflicts(head, role, c)]
        if not candidates:
            return None
        return max(candidates, key=lambda c: c.last_before(pos))

    def _conflicts(self, head: Token, role: str, cluster: _Cluster) -> bool:
        """Whether the mention's proper modifiers contradict the role's ("Democratic" vs "Republican")."""
        mine = [t.text for t in head.lefts if t.text[:1].isupper() and t.dep_ in ("amod", "compound")]
        if not mine:
            return False
        theirs = [
            w for d in cluster.descriptions if role in d.lower() for w in d.split() if w[:1].isupper()
        ]
        return bool(theirs) and not any(_same_word(a, b) for a in mine for b in theirs)

    # descriptions and documents (pass 3) ------------------------------------------------

    def _document_author(self, noun: Token) -> _Cluster | None:
        """Who issues a document the phrase itself names: "a Donald Trump tweet", "an ad from X"."""
        for child in noun.children:
            owner = self.owner.get(child.i)
            if child.dep_ in ("compound", "poss") and owner is not None and owner.label in ("PERSON", "ORG"):
                return owner
            if child.dep_ == "prep" and child.text.lower() in ("by", "from"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        return self.owner.get(obj.i) or self._by_campaign(obj)
        return None

    def _documents(self) -> list[tuple[int, str, _Cluster]]:
        """Documents the article credits to someone: (offset, head lemma, author), in text order.

        Besides the phrase's own author, "The Washington Post ran a feature" and
        "X has a new campaign ad" credit the object to the subject.
        """
        out = []
        nouns = _words("document_nouns")
        for tok in self.doc:
            lemma = tok.lemma_.lower()
            if tok.pos_ != "NOUN" or lemma not in nouns:
                continue
            author = self._document_author(tok)
            verb = tok.head
            if author is None and tok.dep_ == "dobj" and verb.lemma_.lower() in _words("author_verbs"):
                subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS and c.i in self.owner]
                author = self.owner[subjects[0].i] if subjects else None
            if author is not None:
                out.append((tok.idx, lemma, author))
        return out

    def _document(self, author: _Cluster) -> _Cluster:
        """The document source speaking for ``author``: named after the author, typed document."""
        return self._keyed("doc:" + str(id(author)), author.name, "document", author=author)

    def _by_document(self, src: _Source, documents: list[tuple[int, str, _Cluster]]) -> _Cluster | None:
        """ "A web video by the RNC" / "The ad" / "The clip" -> a document speaking for the RNC.

        A definite document without its own author is the latest credited document
        with the same head noun, or of any kind when it is an authored kind (ad,
        clip, piece...) and close by.
        """
        head = src.head
        if head is None or src.tokens is None:  # a source that maps onto no tokens
            return None
        lemma = head.lemma_.lower()
        if head.pos_ != "NOUN" or lemma not in _words("document_nouns"):
            return None
        pos = src.spans[0].start
        if _is_definite(head) or not any(c.dep_ == "det" for c in head.children):
            same = [a for p, l, a in documents if p < pos and l == lemma]
            if same:
                return self._document(same[-1])
            if lemma in _words("authored_nouns"):
                near = [a for p, l, a in documents if pos - 3 * _FOCUS_WINDOW < p < pos and l in _words("authored_nouns")]
                if near:
                    return self._document(near[-1])
        author = self._document_author(head)
        return self._document(author) if author is not None else None

    def _by_description(self, src: _Source, earlier: list[_Source]) -> _Cluster | None:
        """ "The commission", "the source", "The newspaper", "The bank": a definite common noun
        is the latest earlier source with the same head noun, else the latest entity whose
        name holds that noun, else (outlets, companies, agencies) the latest of its type.
        """
        head = src.head
        if head is None or src.tokens is None:  # a source that maps onto no tokens
            return None
        if head.pos_ != "NOUN" or not _is_definite(head):
            return None
        if any(c.dep_ == "poss" and c.pos_ != "NOUN" for c in head.children):
            return None  # "Clinton's spokesman" is not any earlier spokesman
        lemma, pos = head.lemma_.lower(), src.spans[0].start
        for prev in reversed(earlier):
            if prev.cluster is not None and prev.head is not None and prev.head.lemma_.lower() == lemma:
                if prev.head.pos_ == "NOUN" and not prev.cluster.fixed_type and prev.cluster.resolved:
                    return prev.cluster  # never chain onto an earlier unresolved "the nominee"
        if lemma == "campaign":
            return self._focus_campaign(pos)
        named = [
            c for c in self.clusters
            if c.label not in (None, "PERSON") and c.last_before(pos) >= 0
            and head.text.lower() in _norm(c.name).split()
        ]
        if named:
            return max(named, key=lambda c: c.last_before(pos))
        kind = source_type(src.tokens)
        if kind not in ("media_outlet", "organisation", "government"):
            return None
        if lemma in _words("official_nouns"):
            return None  # "the minister" is a person in government, not the latest government body
        if any(t.i != head.i and t.dep_ not in ("det", "amod") for t in src.tokens if not t.is_punct):
            return None  # "The city of Phoenix" names itself; only "the (big) bank" points back
        typed = [
            c for c in self.clusters
            if c.label in ("ORG", "GPE") and c.type == kind and pos - 2 * _FOCUS_WINDOW < c.last_before(pos)
        ]
        return max(typed, key=lambda c: c.last_before(pos)) if typed else None

    def _focus_campaign(self, pos: int) -> _Cluster | None:
        """ "The campaign": the campaign of the person the text is about, or the latest campaign."""
        people = [(p, c) for p, c in self.focus if p < pos]
        campaigns: list[tuple[int, _Cluster]] = []
        for c in self.clusters:  # a campaign, or a campaign's ad, mentioned before
            campaign = c.author or c
            if campaign.name.endswith(" campaign") and c.last_before(pos) >= 0:
                campaigns.append((c.last_before(pos), campaign))
        best = max(campaigns, key=lambda item: item[0]) if campaigns else None
        if people and (best is None or people[-1][0] > best[0]):
            return self._campaign(people[-1][1])
        return best[1] if best else None

    def _person_role(self, head: Token) -> bool:
        lemma = head.lemma_.lower() or head.text.lower()
        return lemma in _words("person_nouns") and head.tag_ not in ("NNS", "NNPS")

    def _by_focus(self, src: _Source) -> _Cluster | None:
        """ "The Indiana governor", "The GOP nominee": a definite role noun the article never
        gave anyone is the person it is talking about, the latest person subject or speaker.

        Not when the phrase names another person ("Gary Johnson's doctor") or a
        government body or outlet ("The FBI director"): that is someone else.
        """
        head, tokens = src.head, src.tokens
        if head is None or tokens is None:  # a source that maps onto no tokens
            return None
        if not self._person_role(head) or not any(c.dep_ == "det" and c.text.lower() in _DEFINITE for c in head.children):
            return None
        if (head.lemma_.lower() or head.text.lower()) not in _words("public_roles"):
            return None  # "the announcer", "the woman": someone new, not the article's subject
        for tok in tokens:
            owner = self.owner.get(tok.i)
            if owner is not None and (owner.label == "PERSON" or owner.type in ("government", "media_outlet")):
                return None
        if any(t.dep_ == "pobj" and t.i in self.owner for t in tokens if t.i > head.i):
            return None  # "a spokeswoman for Hillary Clinton" is not Clinton
        pos = src.spans[0].start
        people = [c for p, c in self.focus if pos - _FOCUS_WINDOW < p < pos]
        return people[-1] if people else None

    def _by_cataphora(self, src: _Source) -> _Cluster | None:
        """ "Connecticut's tax commissioner says ... ¶ Kevin Sullivan says ...": a role that opens
        a paragraph as its subject is the person first named as a subject in the next one."""
        head, tokens = src.head, src.tokens
        if head is None or tokens is None:  # a source that maps onto no tokens
            return None
        lemma = head.lemma_.lower()
        person_like = self._person_role(head) or lemma in _words("anonymous_nouns") or lemma == "one"
        if not person_like or head.tag_ in ("NNS", "NNPS") or head.dep_ not in _SUBJECT_DEPS:
            return None
        if not _paragraph_start(self.text, src.spans[0].start):
            return None
        here = [self.owner[t.i] for t in tokens if t.i in self.owner]
        end = self.text.find("\n", src.spans[-1].end)
        if end < 0:
            return None
        for name in self.names:
            start = name.tokens.start_char
            if start <= end:
                continue
            if self.text.count("\n", end, start) > 3:
                break
            cluster = self.owner.get(name.head.i)
            if cluster is None or cluster.label != "PERSON" or any(cluster is h for h in here):
                continue
            if any(c.start <= start < c.end for a in self.attributions for c in a.content):
                continue  # a name inside a quotation is not who the paragraph introduces
            if name.head.dep_ in _SUBJECT_DEPS and min(m.start for m in cluster.mentions) >= start:
                return cluster
        return None

    def _compatible(self, kind: str, cluster: _Cluster) -> bool:
        kind_type = cluster.type or ("person" if cluster.label == "PERSON" else "")
        if kind in ("m", "f"):
            one_official = kind_type == "government" and cluster.head in _words("official_nouns")  # "the minister"
            return (kind_type == "person" or one_official) and not cluster.plural and cluster.gender in (None, kind)
        if kind == "pl":
            return kind_type in ("group", "organisation", "government", "media_outlet", "document") and (
                kind_type != "document" or cluster.plural
            ) or (
                kind_type == "anonymous" and cluster.plural
            )
        if kind == "sg":
            singular_things = ("organisation", "government", "media_outlet", "document", "poll_or_study")
            return kind_type in singular_things and not cluster.plural
        return False

    def _by_pronoun(
        self, src: _Source, earlier: list[_Source], subjects: list[tuple[int, _Cluster]]
    ) -> _Cluster | None:
        """Pass 4: the latest compatible earlier source, or a later named PERSON subject.

        "they" first looks for a plural noun phrase (a group, documents) in its own
        sentence or the one before: "The AP interviewed more than 20 former crew
        members. They described ..." means the crew members, not the AP.
        """
        head = src.head
        if head is None or src.tokens is None or len(src.tokens) > 2:
            return None
        kind = _mapping("pronouns").get(head.text.lower())
        if kind == "rel":
            return self._antecedent_of_relative(head, earlier)
        if kind not in ("m", "f", "pl", "sg"):
            return None
        pos = src.spans[0].start
        if kind == "pl":
            group = self._plural_phrase(head, earlier)
            if group is not None:
                return group
        best: tuple[int, _Cluster] | None = None
        # "one questioner claimed ... “...,” he said": a named person first, unnamed ones after.
        for named_only in ((True, False) if kind in ("m", "f") else (False,)):
            for prev in reversed(earlier):
                cluster = prev.cluster
                if cluster is None or prev.spans[0].start >= pos or not self._compatible(kind, cluster):
                    continue
                if named_only and cluster.label != "PERSON":
                    continue
                best = (prev.spans[0].start, cluster)
                break
            if best is not None:
                break
        if kind in ("m", "f"):
            for start, cluster in reversed(subjects):
                if start < pos and self._compatible(kind, cluster):
                    if best is None or start > best[0]:
                        best = (start, cluster)
                    break
            if best is None:  # "Warren told Stumpf, after he admitted": a name in any role, close by
                best = self._nearby_name(kind, head)
        return best[1] if best else None

    def _nearby_name(self, kind: str, pronoun: Token) -> tuple[int, _Cluster] | None:
        """The latest compatible PERSON name in the pronoun's sentence or the one before."""
        sent = pronoun.sent
        start = sent.start
        if start > 0:
            start = self.doc[start - 1].sent.start
        for i in range(pronoun.i - 1, start - 1, -1):  # tokens, not NER names: surnames it missed count
            cluster = self.owner.get(i)
            if cluster is not None and cluster.label == "PERSON" and self._compatible(kind, cluster):
                return self.doc[i].idx, cluster
        return None

    def _plural_phrase(self, pronoun: Token, earlier: list[_Source]) -> _Cluster | None:
        """The latest plural group or document phrase before ``pronoun``, outside quotes,
        in its sentence or the previous one."""
        try:
            sent = pronoun.sent
            prev_start = self.doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
        except ValueError:
            return None
        contents = [c for a in self.attributions for c in a.content]
        for tok in reversed(self.doc[prev_start : pronoun.i]):
            if tok.pos_ not in ("NOUN", "PROPN") or tok.tag_ not in ("NNS", "NNPS") or tok.dep_ in ("compound", "poss"):
                continue
            if any(c.tag_ == "POS" for c in tok.children):
                continue  # "editorial boards' disdain": the boards are not what "they" means
            while tok.dep_ == "conj" and tok.head.pos_ in ("NOUN", "PROPN"):
                tok = tok.head  # "crew members, editors and contestants": the whole list
            if any(c.start <= tok.idx < c.end for c in contents):
                continue
            if any(t.text in ("“", "”", '"') for t in self.doc[tok.left_edge.i : tok.i]):
                continue
            for prev in earlier:
                if prev.cluster is not None and prev.tokens is not None and prev.tokens.start <= tok.i < prev.tokens.end:
                    return prev.cluster
            if tok.i in self.owner:
                continue
            phrase = self.doc[tok.left_edge.i : tok.right_edge.i + 1]
            kind = source_type(phrase)
            listed = _noun_type(tok) is not None or tok.ent_type_ == "NORP"
            if listed and kind in ("group", "anonymous", "document", "poll_or_study", "unspecified_reports"):
                cluster = self._local(_canonical(phrase, tok), phrase, tok)
                cluster.mentions.append(_span(phrase))
                cluster.plural = True
                return cluster
        return None

    def _antecedent_of_relative(self, rel: Token, earlier: list[_Source]) -> _Cluster | None:
        """ "Muhammad Ali, who joked" -> Ali; "a voter who said" -> "a voter" as its own entity."""
        noun = self._relative_noun(rel)
        if noun is None:
            return None
        if noun.dep_ == "attr" and noun.head.lemma_ == "be":
            subjects = [c for c in noun.head.children if c.dep_ in _SUBJECT_DEPS and c.i in self.owner]
            if subjects:
                return self.owner[subjects[0].i]  # "Kaine is a former civil rights lawyer who ..."
        named = self.owner.get(noun.head.i) if noun.dep_ == "appos" and noun.i not in self.owner else None
        if named is not None and named.label == "PERSON":
            return named  # "Heather Samuelson, a Clinton campaign staffer who ..."
        if noun.i in self.owner and self.owner[noun.i].label != "NORP":
            return self.owner[noun.i]
        for prev in earlier:
            if prev.cluster is not None and prev.tokens is not None and prev.tokens.start <= noun.i < prev.tokens.end:
                return prev.cluster
        if noun.pos_ not in ("NOUN", "PROPN"):
            return None
        if self._person_role(noun) and _is_definite(noun):
            people = [c for p, c in self.focus if noun.idx - _FOCUS_WINDOW < p < noun.idx]
            if people and (noun.lemma_.lower() or noun.text.lower()) in _words("public_roles"):
                return people[-1]  # "the Republican nominee for president, who began ..."
        phrase = self.doc[noun.left_edge.i : noun.i + 1]
        for child in noun.children:  # keep "on Capitol Hill" in "Democrats on Capitol Hill"
            if child.dep_ == "prep" and child.i > noun.i and child.right_edge.i < rel.i:
                phrase = self.doc[noun.left_edge.i : child.right_edge.i + 1]
        cluster = self._local(_canonical(phrase, noun), phrase, noun)
        if rel.text.lower() == "who" and cluster.type in ("unknown", ""):
            cluster.type = "group" if noun.tag_ in ("NNS", "NNPS") else "person"  # "who" is a person
            cluster.fixed_type = True
        cluster.mentions.append(_span(phrase))
        return cluster

    def _relative_noun(self, rel: Token) -> Token | None:
        """The noun a relative pronoun stands for, from the parse or, when the parser missed
        the relative clause, from the words before it ("the Chicago Police Department which")."""
        if rel.head.dep_ == "relcl":
            noun = rel.head.head
        else:
            if rel.i == 0:
                return None
            before = rel.i - 1
            while before >= 0 and self.doc[before].is_punct:
                before -= 1
            if before < 0 or self.doc[before].pos_ not in ("NOUN", "PROPN"):
                return None
            noun = self.doc[before]
            while noun.dep_ == "compound" and noun.head.i > noun.i:
                noun = noun.head
        noun = self._nearest_named(rel, noun)
        if rel.text.lower() == "who":  # "nervous Democrats on Capitol Hill, who": up to the people
            while noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ in ("NOUN", "PROPN"):
                if noun.i in self.owner and self.owner[noun.i].label == "PERSON":
                    break
                noun = noun.head.head
        return noun

    def _nearest_named(self, rel: Token, noun: Token) -> Token:
        """The name right before a relative pronoun when the parser hung the clause on another
        part of the same phrase: "Mr. Kerry and Mr. Obama, who sent" (Obama), "his wife, Laura,
        who spoke" (Laura)."""
        before = rel.i - 1
        while before > 0 and self.doc[before].text == ",":
            before -= 1
        name = self.doc[before]
        while name.dep_ == "compound" and name.head.i > name.i:
            name = name.head
        owner = self.owner.get(name.i)
        if name == noun or name.pos_ != "PROPN" or (owner is not None and owner.label != "PERSON"):
            return noun
        related = {noun, *noun.conjuncts}
        if name in related or (name.dep_ == "appos" and name.head in related):
            return name
        return noun

    def _by_possessor(
        self, src: _Source, earlier: list[_Source], subjects: list[tuple[int, _Cluster]]
    ) -> _Cluster | None:
        """ "his campaign", "her memo", "his advisers": the pronoun resolved, the phrase named for it.

        A campaign is the person's campaign and a document speaks for its author; anything
        else keeps its own words with the owner's name for the pronoun ("Trump's advisers"),
        so that a reader of the ledger sees whose advisers they were.
        """
        head, tokens = src.head, src.tokens
        if head is None or tokens is None or len(tokens) < 2:
            return None
        # "his advisers", or "Many of his supporters"
        of = [o for p in head.children if p.dep_ == "prep" and p.text.lower() == "of" for o in p.children]
        poss = next((c for n in (head, *of) for c in n.children if c.dep_ == "poss" and c.pos_ == "PRON"), None)
        if poss is None or not tokens.start <= poss.i < tokens.end:
            return None
        if _mapping("pronouns").get(poss.text.lower()) not in ("m", "f", "sg", "pl"):
            return None
        pronoun = _Source(src.attribution, [_span(self.doc[poss.i : poss.i + 1])], self.doc[poss.i : poss.i + 1], poss)
        owner = self._by_pronoun(pronoun, earlier, subjects)
        if owner is None:
            return None
        lemma = head.lemma_.lower()
        if lemma == "campaign" and owner.label == "PERSON":
            return self._campaign(owner)
        if head.pos_ == "NOUN" and lemma in _words("document_nouns"):
            return self._document(owner)
        name = self._surname(owner) if owner.label == "PERSON" else _trimmed_name(owner.name)
        text = _canonical(tokens, head)
        start = tokens.doc[max(tokens.start, head.left_edge.i)].idx
        at = poss.idx - start
        if not 0 <= at < len(text) or text[at : at + len(poss.text)] != poss.text:
            return None
        possessive = f"{name}'" if name.endswith("s") else f"{name}'s"  # "the United Nations' troops"
        return self._local(text[:at] + possessive + text[at + len(poss.text) :], tokens, head)

    def _by_whose(self, src: _Source) -> _Cluster | None:
        """ "Europe countries, whose leaders" -> "leaders of Eastern and Northern Europe countries"."""
        head = src.head
        if head is None or not any(c.text.lower() == "whose" for c in head.children):
            return None
        rel = next(c for c in head.children if c.text.lower() == "whose")
        owner = self._relative_noun(rel)
        if owner is None:
            return None
        owner_phrase = self.doc[owner.left_edge.i : owner.i + 1]
        name = f"{head.text} of {_trimmed(owner_phrase)[0]}"
        return self._local(name, src.tokens, head)

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

    def _by_writer(self, src: _Source) -> _Cluster | None:
        """ "I know your tax returns are being audited": a singular "I" outside every quotation is the
        article's writer, the byline's name when there is one (a columnist's record then spans
        articles), else "the author" of this article alone."""
        head = src.head
        if head is None or head.text.lower() not in _words("writer_pronouns") or len(src.tokens or ()) > 1:
            return None
        pos = src.spans[0].start
        line_start = self.text.rfind("\n", 0, pos) + 1
        if _open_quote(self.text[line_start:pos]):
            return None  # inside a quotation nobody is credited with
        if self.authors:
            name = " and ".join(_display(a) for a in self.authors)
            return self._keyed("writer:" + name.lower(), name, "person" if len(self.authors) == 1 else "group")
        return self._tagline_writer() or self._keyed("writer:", "the author", "person", resolved=False)

    def _tagline_writer(self) -> _Cluster | None:
        """The person an op-ed's closing tagline names: "Charlotte Meehan is playwright-in-residence at ..."."""
        last = self.text.rstrip()
        start = last.rfind("\n") + 1
        if start == 0:
            return None  # one paragraph: no tagline apart from the text
        first = self.doc.char_span(start, len(last), alignment_mode="expand")
        if first is None or not len(first):
            return None
        person = self.owner.get(first[0].i)
        if person is None or person.label != "PERSON" or len(person.words) < 2:
            return None
        after = next((t for t in first if self.owner.get(t.i) is not person), None)
        return person if after is not None and after.lemma_ == "be" else None

    def _person_subjects(self, main_only: bool = False) -> list[tuple[int, _Cluster]]:
        """Named PERSON subjects outside any quoted or reported content, in text order.

        ``main_only`` keeps the subjects of main clauses: who a sentence is about,
        not "hours after Trump unleashed ...".
        """
        contents = [c for a in self.attributions for c in a.content]
        out = []
        for tok in self.doc:
            if tok.dep_ not in _SUBJECT_DEPS:
                continue
            verb = tok.head
            if main_only and not (verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")):
                continue
            found = self._subject_person(tok)
            if found is not None and not any(c.start <= found[0] < c.end for c in contents):
                out.append(found)
        return out

    def _subject_person(self, tok: Token) -> tuple[int, _Cluster] | None:
        """The person a subject names, and where: any token of a person's name (a surname the NER
        missed counts), or a definite role the article gave someone ("the president")."""
        owner = self.owner.get(tok.i)
        if owner is not None:
            if owner.label != "PERSON":
                return None
            first = tok.i
            while first > 0 and self.owner.get(first - 1) is owner:
                first -= 1
            return self.doc[first].idx, owner
        if tok.pos_ != "NOUN" or tok.tag_ == "NNS" or not any(
            c.dep_ == "det" and c.text.lower() in _DEFINITE for c in tok.children
        ):
            return None
        role, pos = _head_lemma(tok), tok.left_edge.idx
        people = [c for c in self.full if c.label == "PERSON" and c.roles.get(role, pos) < pos]
        if not people:
            return None
        return pos, max(people, key=lambda c: c.last_before(pos))

    def _local(self, text: str, tokens: SpacySpan | None, head: Token | None) -> _Cluster:
        """Pass 5: an unresolved source stays itself, merged only with identical wording."""
        stype = source_type(_around(tokens, head)) if tokens is not None else "unknown"
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
        typed_by = _around(tokens, head) if tokens is not None else None
        lemma = head.lemma_.lower() if head is not None else ""
        plural = head is not None and head.tag_ in ("NNS", "NNPS")
        gender = _mapping("gendered_nouns").get(lemma) if head is not None and head.pos_ == "NOUN" else None
        cluster = self._new(
            _display(text), type=stype, resolved=not anaphoric, typed_by=typed_by, head=lemma, plural=plural,
            gender=gender,
        )
        if not (pronoun or indefinite):
            self.by_key[key] = cluster
        return cluster

    def _local_source(self, src: _Source) -> _Cluster:
        """The source as its own entity, under its canonical wording."""
        text = " ".join(s.text for s in src.spans)
        if src.tokens is not None and src.head is not None and len(src.spans) == 1:
            keep_from = None
            for child in src.head.children:  # "Libertarian candidate Gary Johnson's doctor"
                owner = self.owner.get(child.i)
                if child.dep_ == "poss" and owner is not None and owner.label == "PERSON":
                    keep_from = min(m.i for m in child.subtree if self.owner.get(m.i) is owner)
            text = _canonical(src.tokens, src.head, keep_from)
        return self._local(text, src.tokens, src.head)

    def _headline(self, sources: list[_Source]) -> None:
        """A headline source ("Poll", "Black Lawmakers") is the body's first source with its head noun,
        or (a title: "Senator says …") the body's first person with that title ("Senator Jane Roe")."""
        end = self.text.find("\n")
        if end < 0:
            return
        for src in sources:
            cluster, head = src.cluster, src.head
            if src.spans[0].start > end or head is None or cluster is None or cluster.label in ("PERSON", "ORG"):
                continue
            if cluster.fixed_type or cluster.fixed_name:
                continue
            word = head.text.lower()
            for later in sources:
                if later.spans[0].start > end and later.head is not None and later.cluster is not None:
                    if _heads_or_titles(later, word) and later.cluster is not cluster:
                        src.cluster = later.cluster
                        later.cluster.mentions.extend(src.spans)
                        cluster.speaker = any(s.cluster is cluster for s in sources)
                        break

    # the whole sieve ------------------------------------------------------------------

    def run(self) -> list[Entity]:
        self._collect_names()
        self._add_publisher()
        sources = self._sources()
        self._pass(sources, self._by_name)
        self._pass(sources, self._by_role)
        self._type_clusters()
        subjects = self._person_subjects()
        self.focus = sorted(self._person_subjects(main_only=True) + [(s.spans[0].start, s.cluster) for s in sources
                                        if s.cluster is not None and s.cluster.label == "PERSON"],
                            key=lambda item: item[0])
        documents = self._documents()
        for i, src in enumerate(sources):
            if src.cluster is None and not self._is_pronoun(src):
                src.cluster = (
                    self._by_document(src, documents)
                    or self._by_possessor(src, sources[:i], subjects)
                    or self._by_whose(src)
                    or self._by_cataphora(src)
                    or self._by_focus(src)
                    or self._by_description(src, sources[:i])
                    or self._local_source(src)
                )
                self._mark(src)
                if src.cluster.label == "PERSON":
                    self.focus.append((src.spans[0].start, src.cluster))
                    self.focus.sort(key=lambda item: item[0])
        self._type_clusters()
        for i, src in enumerate(sources):
            if src.cluster is None:
                src.cluster = self._by_pronoun(src, sources[:i], subjects)
                if src.cluster is not None:
                    self._mark(src)
        self._pass(sources, lambda src: self._by_quote(src, sources))
        self._pass(sources, self._by_writer)
        for src in sources:
            if src.cluster is None:
                src.cluster = self._local_source(src)
                self._mark(src)
        self._headline(sources)
        self._type_clusters()
        return self._entities(sources)

    def _pass(self, sources: list[_Source], find) -> None:  # type: ignore[no-untyped-def]
        for src in sources:
            if src.cluster is None:
                src.cluster = find(src)
                if src.cluster is not None:
                    self._mark(src)

    def _is_pronoun(self, src: _Source) -> bool:
        head = src.head
        if head is None or src.tokens is None:
            return False
        return head.text.lower() in _mapping("pronouns") and len(src.tokens) <= 2

    def _mark(self, src: _Source) -> None:
        cluster = src.cluster
        assert cluster is not None
        cluster.speaker = True
        cluster.salient.append(src.spans[0].start)
        for span in src.spans:
            cluster.mentions.append(span)
        if self._is_pronoun(src):
            return  # "which" names and types nothing: its antecedent does
        if src.head is not None and cluster.typed_by is None and cluster.label != "PERSON" and not cluster.fixed_type:
            cluster.typed_by = _around(src.tokens, src.head) if src.tokens is not None else None
            named_here = self.owner.get(src.head.i) is cluster  # not "The commission" for its name
            if not cluster.fixed_name and cluster.label is not None and src.tokens is not None and named_here:
                cluster.name = _canonical(src.tokens, src.head)  # the source as written, without asides
        if src.head is not None and cluster.label != "PERSON" and not cluster.fixed_type:
            cluster.plural = cluster.plural or src.head.tag_ in ("NNS", "NNPS") or bool(src.head.conjuncts)

    def _kept(self, cluster: _Cluster) -> bool:
        """Whether the cluster becomes an entity: speakers, PERSON/ORG names, the publisher."""
        return cluster.speaker or cluster.label in _KEPT or cluster.fixed_name

    def _type_clusters(self) -> None:
        for cluster in self.clusters:
            if (cluster.type and cluster.typed_by is None) or cluster.fixed_type or not self._kept(cluster):
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
                name=_display(cluster.author.name if cluster.author is not None else cluster.name),
                type=cluster.type or "unknown",
                mentions=_outermost(cluster.mentions),
                descriptions=list(cluster.descriptions),
                resolved=cluster.resolved,
            )
        for src in sources:
            if src.cluster is not None:
                src.attribution.speaker = entities[id(src.cluster)].ref()
        return list(entities.values())


def _heads_or_titles(src: _Source, word: str) -> bool:
    """Whether lower-cased ``word`` is ``src``'s head, or a title before the head of a person's name."""
    if src.head.text.lower() == word:
        return True
    person = src.cluster is not None and src.cluster.label == "PERSON"
    return person and src.tokens is not None and any(t.text.lower() == word for t in src.tokens if t.i < src.head.i)


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
    authors: Sequence[str] = (),
) -> list[Entity]:
    """Resolve every attribution's source to an entity; return the article's entities.

    Sets ``attribution.speaker`` on each attribution that has a source. The
    entities (ids ``e1``, ``e2``, ... in order of first mention) are every
    speaker plus the PERSON and ORG names the NER finds (GPE/NORP only when
    they speak), and the ``publisher`` as a media outlet when given. A first-person
    "I" outside every quotation is the writer: the byline's ``authors`` when given, else
    "the author", kept apart from every other article's. Spans in ``attributions``
    and in the result are character offsets into ``doc.text``.
    """
    return _Resolver(doc, attributions, publisher, tuple(authors)).run()
