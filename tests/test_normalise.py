"""Tests for onrecord.ingest.normalise: each normalisation, and the map back."""

from __future__ import annotations

import random
import re

import pytest

from onrecord.ingest import Normalised, normalise


def _char_map(n: Normalised) -> list[str]:
    """The original text behind each normalised character, one at a time."""
    out = []
    for i in range(len(n.text)):
        start, end = n.to_original(i, i + 1)
        out.append(n.original[start:end])
    return out


# --- each normalisation ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),
        ("a\n\rb", "a\n\nb"),
        ("a\u2028b\u2029c\u0085d", "a\nb\nc\nd"),  # Unicode's line and paragraph separators, next line
    ],
)
def test_line_ends_become_lf(raw: str, expected: str) -> None:
    assert normalise(raw).text == expected


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2007", "\u2009", "\u3000", "\u1680", "\t"])
def test_space_separators_and_tab_become_plain_space(space: str) -> None:
    n = normalise(f"one{space}two")
    assert n.text == "one two"
    assert n.is_identity  # same length: offsets are unchanged


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_and_soft_hyphen_are_deleted(invisible: str) -> None:
    n = normalise(f"re{invisible}cord")
    assert n.text == "record"
    assert n.to_original(0, 6) == (0, 7)
    assert n.to_original(2, 6) == (3, 7)  # the span starts at the first kept char after the deletion
    assert n.to_original(0, 2) == (0, 2)  # ... and ends before it


@pytest.mark.parametrize("mark", ["\u201c", "\u201d", "\u201e", "\u201f", "\u00ab", "\u00bb", "\u301d", "\u301e", "\uff02"])
def test_double_quotes_are_straightened(mark: str) -> None:
    assert normalise(f"{mark}Yes{mark}").text == '"Yes"'


@pytest.mark.parametrize("mark", ["\u2018", "\u2019", "\u201a", "\u201b"])
def test_single_quotes_are_straightened(mark: str) -> None:
    assert normalise(f"it{mark}s").text == "it's"


def test_prime_is_not_a_quote() -> None:
    assert normalise("6\u20322\u2033 tall").text == "6\u20322\u2033 tall"


def test_tex_quotes_become_one_double_quote() -> None:
    raw = "He said ``no'' twice."
    n = normalise(raw)
    assert n.text == 'He said "no" twice.'
    open_at = n.text.index('"')
    close_at = n.text.rindex('"')
    assert n.to_original(open_at, open_at + 1) == (8, 10)
    assert n.to_original(close_at, close_at + 1) == (12, 14)
    # A span over the whole quote covers both pairs of the original.
    assert raw[slice(*n.to_original(open_at, close_at + 1))] == "``no''"
    # What follows is shifted back by the two characters saved.
    w = n.text.index("twice")
    assert raw[slice(*n.to_original(w, w + 5))] == "twice"


def test_three_apostrophes_pair_left_to_right() -> None:
    assert normalise("'''").text == "\"'"


def test_without_straighten_quotes_only_quotes_are_kept() -> None:
    raw = "\u201cIt\u2019s ``so''\u201d,\u00a0she\r\nsaid\u200b."
    n = normalise(raw, straighten_quotes=False)
    assert n.text == "\u201cIt\u2019s ``so''\u201d, she\nsaid."


def test_crlf_maps_back_to_both_characters() -> None:
    raw = "one\r\ntwo\r\nthree"
    n = normalise(raw)
    assert n.text == "one\ntwo\nthree"
    assert _char_map(n) == ["o", "n", "e", "\r\n", "t", "w", "o", "\r\n", "t", "h", "r", "e", "e"]
    t = n.text.index("three")
    assert n.to_original(t, t + 5) == (10, 15)


def test_fast_path_returns_the_text_itself_with_identity_map() -> None:
    raw = "Plain ASCII text, nothing to do.\nSecond line."
    n = normalise(raw)
    assert n.text is raw
    assert n.is_identity
    assert n.to_original(6, 11) == (6, 11)


def test_same_length_changes_keep_an_identity_map() -> None:
    n = normalise("\u201cNo,\u201d\u00a0he said.")
    assert n.text == '"No," he said.'
    assert n.is_identity


def test_empty_spans_and_ends() -> None:
    raw = "\u200bab\r\n\u200b"
    n = normalise(raw)
    assert n.text == "ab\n"
    assert n.to_original(0, 0) == (1, 1)
    assert n.to_original(3, 3) == (len(raw), len(raw))
    assert n.to_original(0, 3) == (1, 5)  # trailing deleted char stays outside


def test_out_of_range_span_is_refused() -> None:
    n = normalise("abc")
    with pytest.raises(ValueError):
        n.to_original(2, 4)
    with pytest.raises(ValueError):
        n.to_original(2, 1)


def test_empty_text() -> None:
    n = normalise("")
    assert n.text == ""
    assert n.to_original(0, 0) == (0, 0)


# --- the round trip ---------------------------------------------------------

_PLAIN = list("abcdefghij ABC.,;:-0123456789") + ["\n", " ", "'", "`", '"']
_NOISE = [
    "\r\n",
    "\r",
    "\t",
    "\u00a0",
    "\u202f",
    "\u2007",
    "\u3000",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u201c",
    "\u201d",
    "\u201e",
    "\u00ab",
    "\u00bb",
    "\u2018",
    "\u2019",
    "\u201a",
    "\u2032",
    "``",
    "''",
    "\u200b\u200b\u200b",
]


def _random_text(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(0, 120)):
        if rng.random() < 0.3:
            pieces.append(rng.choice(_NOISE))
        else:
            pieces.append(rng.choice(_PLAIN))
    return "".join(pieces)


@pytest.mark.parametrize("straighten", [True, False])
def test_round_trip_property(straighten: bool) -> None:
    """Every span of the normalised text maps to original text that normalises back to it."""
    rng = random.Random(20240518 + straighten)
    checked = 0
    for _ in range(400):
        raw = _random_text(rng)
        n = normalise(raw, straighten_quotes=straighten)
        assert n.original == raw
        # every token, as a tokenizer would see it
        spans = [m.span() for m in re.finditer(r"\S+", n.text)]
        # and random spans, which need not line up with anything
        for _ in range(10):
            a = rng.randint(0, len(n.text))
            b = rng.randint(a, len(n.text))
            spans.append((a, b))
        for start, end in spans:
            o_start, o_end = n.to_original(start, end)
            assert 0 <= o_start <= o_end <= len(raw)
            back = normalise(raw[o_start:o_end], straighten_quotes=straighten).text
            assert back == n.text[start:end], (raw, start, end)
            checked += 1
        # the map is monotonic and covers the original without overlap
        bounds = [n.to_original(i, i + 1) for i in range(len(n.text))]
        for (_, prev_end), (next_start, _) in zip(bounds, bounds[1:]):
            assert prev_end <= next_start
    assert checked > 1000


def test_large_text_with_no_changes_is_cheap() -> None:
    raw = "An ordinary sentence, said the editor. " * 100_000  # ~4 MB
    n = normalise(raw)
    assert n.text is raw and n.is_identity


def test_a_very_long_run_without_spaces_is_cut_into_pieces_and_keeps_its_length():
    text = 'He said "yes". ' + '"' * 1000 + " https://example.org/" + "a" * 200
    norm = normalise(text)
    assert len(norm.text) == len(text) and norm.is_identity
    run = norm.text[15:1015]
    assert " " in run and max(len(piece) for piece in run.split(" ")) <= 128  # the tokenizer's work stays linear
    assert norm.text[:15] == text[:15] and norm.text.endswith("a" * 200)  # ordinary words and URLs untouched
