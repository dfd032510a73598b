"""The scripts that derive data files from third-party data (run by hand, not at run time)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from onrecord.data import read_lines

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A three-noun WordNet: "reader" is first a person, "story" a communication, "case" first a
# container (lexicographer file 6) and only then a person.
DATA_NOUN = """\
  1 This software and database is being provided to you
00000001 18 n 01 reader 0 000 | a person who reads
00000002 10 n 01 story 0 000 | a message
00000003 06 n 01 case 0 000 | a container
00000004 18 n 01 case 0 000 | a person requiring help
"""
INDEX_NOUN = """\
  1 This software and database is being provided to you
case n 2 0 2 0 00000003 00000004
reader n 1 0 1 0 00000001
story n 1 0 1 0 00000002
"""


def test_noun_senses_keep_the_category_of_each_nouns_commonest_sense() -> None:
    senses = _script("make_noun_senses").first_senses(INDEX_NOUN, DATA_NOUN)
    assert senses == {"reader": "person", "story": "communication"}


def test_the_shipped_noun_senses_know_common_speakers() -> None:
    lines = dict(line.split(" = ") for line in read_lines("resolve_noun_senses.txt"))
    assert (lines["reader"], lines["father"], lines["memo"]) == ("person", "person", "communication")
    assert "chair" not in lines  # first a seat
