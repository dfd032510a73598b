"""The brat standoff writer, and its round trip through the evaluation reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onrecord.evaluate import read_ann, read_ann_file
from onrecord.model import Attribution, Document, Span
from onrecord.render.brat import to_brat

SHARED = Path(__file__).resolve().parents[2] / "shared"

TEXT = (
    '"We are ready,\nreally," the mayor said, "for anything."\n'
    "It was reported that the budget is late.\n"
    "Officials: no comment.\n"
)


def _span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span.of(TEXT, start, start + len(needle))


def _doc() -> Document:
    return Document(
        TEXT,
        attributions=[
            Attribution(
                "a1",
                "direct",
                source=[_span("the mayor")],
                cue=[_span("said")],
                content=[_span('"for anything."'), _span('"We are ready,\nreally,"')],  # out of order on purpose
            ),
            Attribution("a2", "indirect", cue=[_span("was reported")], content=[_span("that the budget is late")]),
            Attribution("a3", "direct", source=[_span("Officials")], cue=[_span(":")], content=[_span("no comment.")]),
            Attribution("a4", "other", content=[_span("It was")]),  # no cue: the trigger goes on the content
            Attribution("a5", "other"),  # nothing to write
        ],
    )


def _roles(a: Attribution) -> tuple:
    return tuple(tuple((s.start, s.end, s.text) for s in sorted(getattr(a, r))) for r in ("source", "cue", "content"))


def test_to_brat_writes_polnear_lines():
    lines = to_brat(_doc()).splitlines()
    s, e = TEXT.index('"We are'), TEXT.index('really,"') + len('really,"')
    s2 = TEXT.index('"for anything."')
    assert lines[:5] == [
        f"T1\tSource {TEXT.index('the mayor')} {TEXT.index('the mayor') + 9}\tthe mayor",
        f"T2\tCue {TEXT.index('said')} {TEXT.index('said') + 4}\tsaid",
        f'T3\tContent {s} {e};{s2} {s2 + 15}\t"We are ready, really," "for anything."',
        f"T4\tAttribution {TEXT.index('said')} {TEXT.index('said') + 4}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
    ]
    assert "E2\tAttribution-no-source:T7 Content:T6 Cue:T5" in lines
    assert any(re.fullmatch(r"T7\tAttribution-no-source \d+ \d+\twas reported", l) for l in lines)
    # a4 has no cue; a5 has no span at all and is left out.
    assert lines[-2:] == [
        f"T13\tAttribution-no-source {TEXT.index('It was')} {TEXT.index('It was') + 6}\tIt was",
        "E4\tAttribution-no-source:T13 Content:T12",
    ]
    assert all(re.match(r"[TE]\d+\t", l) for l in lines)  # one annotation per line, no stray text


def test_empty_document_gives_empty_standoff():
    assert to_brat(Document("Nothing said.")) == ""


def test_round_trip_gives_back_the_same_spans():
    doc = _doc()
    back = read_ann(to_brat(doc), TEXT)
    written = [a for a in doc.attributions if a.source or a.cue or a.content]
    assert [_roles(a) for a in back] == [_roles(a) for a in written]


def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "doc_onrc.ann"
    path.write_text(to_brat(_doc()), encoding="utf-8", newline="")
    assert len(read_ann_file(path, TEXT)) == 4


@pytest.mark.slow
def test_round_trip_on_polnear_gold():
    attributions = SHARED / "polnear" / "data" / "dev" / "attributions"
    files = sorted(attributions.glob("*.ann"))[:10]
    assert files, f"PolNeAR dev split not found under {attributions}"
    for ann in files:
        text_path = attributions.parent / "text" / f"{ann.stem.rpartition('_')[0]}.txt"
        with text_path.open(encoding="utf-8", newline="") as f:
            text = f.read()
        gold = read_ann_file(ann, text)
        back = read_ann(to_brat(Document(text, attributions=gold)), text)
        assert [_roles(a) for a in back] == [_roles(a) for a in gold], ann.name
