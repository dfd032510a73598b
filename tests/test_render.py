"""The JSON and terminal renderers (fast: hand-built documents, no model)."""

from __future__ import annotations

import io
import json
import re

import pytest

from onrecord.model import Attribution, Document, Entity, Span, SpeakerRef
from onrecord.render import to_json, to_jsonl, to_table

ANSI = re.compile(r"\x1b\[[0-9;]*m")

TEXT = (
    "The mayor said that the bridge would reopen in spring, according to the Herald. "
    "“We are not done yet,” she added. Officials declined to comment."
)


def _span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span.of(TEXT, start, start + len(needle))


@pytest.fixture
def doc() -> Document:
    mayor = Entity("e1", "Jane Roe", "person", [_span("The mayor")], ["the mayor"])
    herald = Entity("e2", "The Herald", "media_outlet", [_span("the Herald")])
    she = SpeakerRef("e3", "she", "person", resolved=False)
    # The nested attribution comes first on purpose: nesting must follow `parent`, not list order.
    return Document(
        TEXT,
        id="doc-1",
        title="Bridge to reopen",
        publisher="The Herald",
        attributions=[
            Attribution(
                "a2",
                "indirect",
                [_span("The mayor")],
                [_span("said")],
                [_span("that the bridge would reopen in spring")],
                mayor.ref(),
                parent="a1",
                confidence=0.8,
            ),
            Attribution(
                "a1",
                "according_to",
                [_span("the Herald")],
                [_span("according to")],
                [_span("The mayor said that the bridge would reopen in spring")],
                herald.ref(),
                confidence=0.7,
            ),
            Attribution(
                "a3", "direct", [_span("she")], [_span("added")], [_span("“We are not done yet,”")], she, confidence=0.9
            ),
        ],
        entities=[mayor, herald],
    )


def test_table_without_colour_has_no_ansi_and_shows_every_role(doc: Document) -> None:
    out = to_table(doc, color=False, width=100)
    assert "\x1b" not in out
    assert "Bridge to reopen" in out and "The Herald" in out
    for needle in ("according to", "that the bridge would reopen in spring", "“We are not done yet,”", "added"):
        assert needle in out


def test_table_with_colour_marks_roles_and_speaker(doc: Document) -> None:
    out = to_table(doc, color=True, width=100)
    codes = set(ANSI.findall(out))
    # source, cue and content each in their own colour, speaker bold, all reset.
    assert {"\x1b[36m", "\x1b[33m", "\x1b[32m", "\x1b[1m", "\x1b[0m"} <= codes
    assert "\x1b[1mJane Roe\x1b[0m" in out
    assert "\x1b[33madded\x1b[0m" in out
    # Stripping the codes gives back the plain rendering.
    assert ANSI.sub("", out) == to_table(doc, color=False, width=100)


@pytest.mark.parametrize(("tty", "no_color", "expect_ansi"), [(True, None, True), (True, "1", False), (False, None, False)])
def test_table_auto_colour(doc, monkeypatch, tty, no_color, expect_ansi) -> None:
    class _Out(io.StringIO):
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr("sys.stdout", _Out())
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert ("\x1b[" in to_table(doc, width=100)) is expect_ansi


def test_nested_attribution_is_indented_under_its_parent(doc: Document) -> None:
    lines = to_table(doc, color=False, width=100).splitlines()
    parent = next(i for i, ln in enumerate(lines) if ln.startswith("[1] according_to"))
    child = next(i for i, ln in enumerate(lines) if "[1.1] indirect" in ln)
    assert child > parent
    assert lines[child].startswith("    [1.1]")
    # the child's fields are indented one level deeper than the parent's
    assert any(ln.startswith("        cue") for ln in lines[child:])
    assert lines[parent + 1].startswith("    source")
    # the unrelated quote is a root again
    assert any(ln.startswith("[2] direct") for ln in lines)


def test_unresolved_speaker_is_marked(doc: Document) -> None:
    out = to_table(doc, color=False, width=100)
    head = next(ln for ln in out.splitlines() if ln.startswith("[2]"))
    assert "she (person) (unresolved)" in head
    assert "(unresolved)" not in next(ln for ln in out.splitlines() if "Jane Roe" in ln)


def test_speaker_summary_counts(doc: Document) -> None:
    out = to_table(doc, color=False, width=100)
    summary = out[out.index("speakers") :].splitlines()[1:]
    counts = {ln.split(None, 1)[1]: int(ln.split(None, 1)[0]) for ln in summary if ln.strip()}
    assert counts == {"Jane Roe (person)": 1, "The Herald (media_outlet)": 1, "she (person) (unresolved)": 1}


def test_content_wraps_to_width(doc: Document) -> None:
    out = to_table(doc, color=False, width=44)
    assert max(len(ln) for ln in out.splitlines()) <= 44
    # wrapped content continues aligned under the first line of text
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("content  The mayor"))
    assert lines[i + 1].startswith(" " * lines[i].index("The mayor"))


def test_empty_document_says_so() -> None:
    out = to_table(Document("Nothing was said here."), color=False)
    assert "no attributions found" in out
    assert "(untitled document)" in out


def test_no_speaker_and_orphan_parent_and_cycle_do_not_crash() -> None:
    doc = Document(
        "x y z",
        attributions=[
            Attribution("a1", "other", parent="a2"),
            Attribution("a2", "other", parent="a1"),
            Attribution("a3", "other", parent="missing"),
        ],
    )
    out = to_table(doc, color=False, width=80)
    assert out.count("] other") == 3
    assert "(no speaker)" in out
    assert "(within missing)" in out


def test_control_characters_in_text_do_not_reach_the_terminal() -> None:
    text = "He said \x1b[2Jgotcha."
    doc = Document(text, attributions=[Attribution("a1", "indirect", content=[Span.of(text, 8, len(text))])])
    assert "\x1b" not in to_table(doc, color=False, width=80)


def test_json_round_trip_keeps_model_order(doc: Document) -> None:
    out = to_json(doc)
    back = json.loads(out)
    assert back == doc.to_dict()
    assert list(back) == list(doc.to_dict())
    assert list(back["attributions"][0]) == list(doc.attributions[0].to_dict())
    assert "“We are not done yet,”" in out  # not \u escaped


def test_jsonl_is_one_line(doc: Document) -> None:
    line = to_jsonl(doc)
    assert "\n" not in line
    assert json.loads(line) == doc.to_dict()
    assert to_json(doc, indent=None) == json.dumps(doc.to_dict(), ensure_ascii=False)


def test_table_lists_forecasts_with_probability_and_due_date(doc: Document) -> None:
    from onrecord.model import Forecast

    doc.forecasts = [Forecast("f1", _span("the bridge would reopen in spring"), SpeakerRef("e1", "Jane Roe", "person"), "a2",
                              _span("would"), 0.9, _span("spring"), "2024-05-31")]
    out = to_table(doc, color=False, width=100)
    section = out[out.index("forecasts"):]
    assert "[f1] Jane Roe  would ≈ 90% by spring (2024-05-31)" in section
    assert "the bridge would reopen in spring" in section


def test_table_without_forecasts_has_no_forecast_section(doc: Document) -> None:
    assert "forecasts" not in to_table(doc, color=False)
