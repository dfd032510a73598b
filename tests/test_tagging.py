"""The learned presets' shared machinery: BIO tags, constrained decoding, windows, grouping."""

from __future__ import annotations

import numpy as np
import pytest

from onrecord.extraction.tagging import (
    assemble,
    bio_tags,
    group,
    holder,
    link_parents,
    renumber,
    sentence_starts,
    snap_to_words,
    tag_spans,
    viterbi,
    windows,
)
from onrecord.extraction.transformer import decode
from onrecord.model import Attribution, Span

O, B, I = 0, 1, 2


def _units(text: str) -> list[tuple[int, int]]:
    out, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                out.append((start, i))
                start = None
        elif start is None:
            start = i
    return out


def test_bio_tags_mark_first_unit_b_and_the_rest_i():
    text = "Smith said that taxes rise"
    units = _units(text)
    assert bio_tags(units, [(11, 26)]) == [O, O, B, I, I]
    assert bio_tags(units, [(0, 5), (6, 10)]) == [B, B, O, O, O]


def test_bio_tags_partial_overlap_counts():
    units = [(0, 3), (3, 6), (6, 9)]
    assert bio_tags(units, [(4, 7)]) == [O, B, I]


def test_viterbi_never_starts_a_span_with_i():
    # per-unit argmax would read O I I: a span with no beginning
    lp = np.log(np.array([[0.9, 0.05, 0.05], [0.2, 0.3, 0.5], [0.2, 0.1, 0.7]]))
    assert [int(x) for x in lp.argmax(axis=1)] == [O, I, I]
    path = viterbi(lp)
    assert path[0] == O and path[1] == B and path[2] == I


def test_viterbi_first_unit_cannot_be_i():
    lp = np.log(np.array([[0.1, 0.3, 0.6]]))
    assert viterbi(lp) == [B]


def test_viterbi_of_nothing():
    assert viterbi(np.zeros((0, 3))) == []


def test_viterbi_finds_the_best_valid_sequence():
    # against every sequence of up to 6 tags with no I after O (nor first)
    import itertools

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 7))
        lp = rng.normal(size=(n, 3)) * rng.choice([0.5, 4.0])
        valid = [p for p in itertools.product((O, B, I), repeat=n)
                 if p[0] != I and all(not (a == O and b == I) for a, b in zip(p, p[1:]))]
        best = max(sum(lp[t, tag] for t, tag in enumerate(p)) for p in valid)
        path = viterbi(lp)
        assert tuple(path) in valid
        assert sum(lp[t, tag] for t, tag in enumerate(path)) == pytest.approx(best)


def test_tag_spans_joins_runs_and_splits_on_b():
    units = [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert tag_spans([B, I, B, O], units) == [(0, 5), (6, 8)]
    assert tag_spans([O, I, I, O], units) == [(3, 8)]  # a stray I still starts a span
    assert tag_spans([O, O, O, B], units) == [(9, 11)]


@pytest.mark.parametrize("n,size,stride", [(1, 4, 2), (10, 4, 3), (100, 30, 20), (31, 30, 30)])
def test_windows_cover_everything_and_end_at_n(n, size, stride):
    spans = windows(n, size, stride)
    covered = set()
    for s, e in spans:
        assert 0 <= s < e <= n and e - s <= size
        covered.update(range(s, e))
    assert covered == set(range(n))
    assert spans[-1][1] == n


def test_windows_reject_bad_sizes():
    with pytest.raises(ValueError):
        windows(10, 4, 5)


def test_assemble_takes_each_unit_from_its_most_central_window():
    n = 10
    spans = windows(n, 6, 4)  # (0,6), (4,10)
    parts = [np.full((e - s, 1), k, dtype=float) for k, (s, e) in enumerate(spans)]
    out = assemble(parts, spans, n)[:, 0]
    # units 4 and 5 are seen twice: unit 4 is 1 from window 0's edge and 0 from window 1's
    assert list(out) == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_long_document_windowing_round_trips_scores():
    rng = np.random.default_rng(0)
    n = 1000
    truth = rng.normal(size=(n, 3, 3))
    spans = windows(n, 254, 192)
    parts = [truth[s:e] for s, e in spans]
    assert np.array_equal(assemble(parts, spans, n), truth)


def test_snap_to_words_widens_to_whole_words_and_trims():
    text = "He said   that taxes"
    assert snap_to_words(text, 1, 6) == (0, 7)
    assert snap_to_words(text, 7, 10) is None
    assert snap_to_words(text, 8, 16) == (10, 20)


def test_sentence_starts():
    text = 'He said so. "Taxes rise," she said.\nNext line'
    starts = sentence_starts(text)
    assert starts[0] == 0 and text[starts[1]:].startswith('"Taxes') and text[starts[2]:].startswith("Next")


def _spans(text: str, *pieces: str) -> list[tuple[int, int]]:
    out = []
    for piece in pieces:
        i = text.index(piece)
        out.append((i, i + len(piece)))
    return out


def _grouped(text: str, sources: tuple[str, ...], cues: tuple[str, ...], contents: tuple) -> list[Attribution]:
    """:func:`group` over role spans given as the words they cover (each word's first occurrence);
    a content may also be a (start, end) pair, for one that no unique string names."""
    content = [c if isinstance(c, tuple) else _spans(text, c)[0] for c in contents]
    roles = {"source": _spans(text, *sources), "cue": _spans(text, *cues), "content": content}
    return group(text, roles, sentence_starts(text))


def test_group_one_attribution_per_cue_with_nearest_source_and_content():
    text = "Smith said that taxes will rise. Jones claimed that they will fall."
    atts = _grouped(text, ("Smith", "Jones"), ("said", "claimed"), ("that taxes will rise", "that they will fall"))
    assert [(a.source[0].text, a.cue[0].text, a.content[0].text) for a in atts] == [
        ("Smith", "said", "that taxes will rise"),
        ("Jones", "claimed", "that they will fall"),
    ]
    assert [a.kind for a in atts] == ["indirect", "indirect"]


def test_group_prefers_the_cue_in_the_same_sentence():
    text = '"Taxes rise," Smith said. "They fall," Jones claimed.'
    atts = _grouped(text, ("Smith", "Jones"), ("said", "claimed"), ('"Taxes rise,"', '"They fall,"'))
    assert [(a.cue[0].text, a.content[0].text) for a in atts] == [("said", '"Taxes rise,"'), ("claimed", '"They fall,"')]
    assert all(a.kind == "direct" for a in atts)


def test_group_joins_a_quote_split_around_its_cue():
    text = '"Taxes," Smith said, "will rise."'
    (att,) = _grouped(text, ("Smith",), ("said",), ('"Taxes,"', '"will rise."'))
    assert [c.text for c in att.content] == ['"Taxes,"', '"will rise."']


def test_group_nested_attribution_shares_nothing_and_links_parent():
    text = "Reuters reported that Smith said taxes rise."
    contents = ("that Smith said taxes rise", "taxes rise")
    outer, inner = _grouped(text, ("Reuters", "Smith"), ("reported", "said"), contents)
    assert outer.source[0].text == "Reuters" and inner.source[0].text == "Smith"
    assert outer.content[0].text == "that Smith said taxes rise"
    assert inner.content[0].text == "taxes rise"
    assert inner.parent == outer.id and outer.parent is None


def test_holder_is_the_smallest_content_around_the_cue_and_with_source_around_both():
    text = 'Reuters reported that "taxes rise," Smith said, and that rates fall.'
    whole = (text.index("that"), text.index("."))
    outer, inner = _grouped(text, ("Reuters", "Smith"), ("reported", "said"), (whole, '"taxes rise,"'))
    assert holder(inner, [outer, inner]) is outer and holder(outer, [outer, inner]) is None
    wider = Attribution(id="T3", cue=[Span.of(text, 0, 7)], content=[Span.of(text, 0, len(text))], kind="indirect")
    assert holder(inner, [wider, outer, inner]) is outer  # the smallest of the two that hold it
    inner.content = []
    outer.content = [Span.of(text, text.index("said"), text.index("."))]  # the cue, not the source
    assert holder(inner, [outer, inner]) is outer and holder(inner, [outer, inner], with_source=True) is None
    outer.content = [Span.of(text, text.index("Smith"), text.index("."))]  # both
    assert holder(inner, [outer, inner], with_source=True) is outer


def _att(text: str, aid: str, source: str, cue: tuple[str, int], content: str) -> Attribution:
    """An attribution over ``text``'s first ``source``, the ``cue`` word's n-th occurrence and ``content``."""
    word, nth = cue
    at = -1
    for _ in range(nth):
        at = text.index(word, at + 1)
    spans = [Span.of(text, text.index(piece), text.index(piece) + len(piece)) for piece in (source, content)]
    return Attribution(id=aid, kind="indirect", source=[spans[0]], cue=[Span.of(text, at, at + len(word))],
                       content=[spans[1]])


def test_two_readings_that_hold_each_others_cue_become_a_relay_not_a_loop():
    text = "Mr. Clinton said the economy was strong, a spokesman for the campaign said."
    outer = _att(text, "a1", "a spokesman for the campaign", ("said", 2), "Mr. Clinton said the economy was strong")
    inner = _att(text, "a2", "Mr. Clinton", ("said", 1), "the economy was strong, a spokesman for the campaign said")
    link_parents([outer, inner])
    assert (outer.parent, inner.parent) == (None, "a1")
    assert [c.text for c in inner.content] == ["the economy was strong"]  # no longer runs through the frame


def test_parents_never_form_a_loop():
    text = "one said two said three said four."
    first = _att(text, "a1", "one", ("said", 1), "two said")  # each content holds the next one's cue ...
    second = _att(text, "a2", "two", ("said", 2), "three said")
    third = _att(text, "a3", "three", ("said", 3), "one said")  # ... and the last the first's
    link_parents([first, second, third])
    assert [x.parent for x in (first, second, third)] == ["a3", "a1", None]


def test_renumber_closes_gaps_and_parents_follow():
    text = "Ann said Bob said yes."
    a, b, c = (Attribution(id=i, kind="direct", cue=[Span.of(text, 0, 3)]) for i in ("a1", "a3", "a4"))
    b.parent, c.parent = "a1", "a2"  # a2 was dropped
    renumber([a, b, c])
    assert [(x.id, x.parent) for x in (a, b, c)] == [("a1", None), ("a2", "a1"), ("a3", None)]


def test_group_one_source_serves_two_cues():
    text = "Smith said taxes rise and added that rates fall."
    atts = _grouped(text, ("Smith",), ("said", "added"), ("taxes rise", "that rates fall"))
    assert [a.source[0].text for a in atts] == ["Smith", "Smith"]


def test_group_according_to_and_orphan_content():
    text = "According to Reuters, taxes rise. Nothing more. Something else entirely was claimed."
    atts = _grouped(text, ("Reuters",), ("According to",), ("taxes rise", "Something else entirely"))
    assert atts[0].kind == "according_to" and atts[0].source[0].text == "Reuters"
    assert atts[0].content[0].text == "taxes rise"
    # the second content is two sentences away from any cue: it stands alone
    assert not atts[1].cue and atts[1].content[0].text == "Something else entirely"


def test_decode_applies_constraints_and_snaps():
    text = "Smith said taxes rise"
    units = [(0, 5), (6, 10), (11, 14), (14, 16), (17, 21)]  # "tax" "es" split like word pieces
    lp = np.full((5, 3, 3), np.log(0.01))
    lp[:, :, O] = np.log(0.98)
    lp[0, 0] = np.log([0.01, 0.98, 0.01])  # source B
    lp[1, 1] = np.log([0.01, 0.9, 0.09])  # cue B
    lp[3, 2] = np.log([0.1, 0.1, 0.8])  # content I on the second piece of "taxes" (no B before it)
    lp[4, 2] = np.log([0.1, 0.1, 0.8])
    roles, confidence = decode(text, units, lp)
    assert roles["source"] == [(0, 5)]
    assert roles["cue"] == [(6, 10)]
    assert roles["content"] == [(11, 21)]  # widened to the whole word "taxes"
    assert confidence[(6, 10)] == pytest.approx(0.99)


def test_group_nested_cue_borrows_its_part_of_the_outer_content():
    text = '"Taxes rise," Smith wrote in the column, according to a translation from X.'
    outer = (0, text.index(", according"))
    grouped = _grouped(text, ("Smith", "X"), ("wrote", "according to a translation from"), (outer,))
    wrote, according = sorted(grouped, key=lambda a: a.cue[0].start)
    assert according.content[0].text == '"Taxes rise," Smith wrote in the column'
    assert according.source[0].text == "X"
    assert wrote.content[0].text == '"Taxes rise,"' and wrote.kind == "direct"
    assert wrote.source[0].text == "Smith" and wrote.parent == according.id
