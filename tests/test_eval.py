"""The PolNeAR evaluation harness: brat reader, metrics, corpus runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord.errors import OnrecordError
from onrecord.evaluate import (
    Counts,
    DocumentScore,
    Report,
    Tally,
    evaluate_polnear,
    format_report,
    read_ann,
    read_ann_file,
    read_discards,
    score_document,
)
from onrecord.evaluate.polnear import judged
from onrecord.model import Attribution, Span

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR = SHARED / "polnear"

# A tiny article. Offsets below are found with _at(), never typed by hand.
TEXT = (
    'Smith said that taxes will rise. "We are ready," the mayor added, "for anything."\n'
    "It was reported that the budget is late.\n"
    "Follow us on\n"
    "Twitter.\n"
)


def _at(needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def _t(n: int, label: str, *needles: str | tuple[str, int]) -> str:
    """A brat T line over TEXT; the text field is written verbatim (newlines and all), as brat does."""
    frags = [_at(*((x,) if isinstance(x, str) else x)) for x in needles]
    offsets = ";".join(f"{s} {e}" for s, e in frags)
    return f"T{n}\t{label} {offsets}\t" + " ".join(TEXT[s:e] for s, e in frags)


# Annotator 1: three attributions (one with a discontinuous content, one without
# a source), a Discard whose text field runs onto a continuation line
# starting with "T", a note, and a Discuss span.
ANN_1 = "\n".join(
    [
        _t(1, "Source", "Smith"),
        _t(2, "Cue", "said"),
        _t(3, "Content", "that taxes will rise"),
        _t(4, "Attribution", "said"),
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        _t(5, "Source", "the mayor"),
        _t(6, "Cue", "added"),
        _t(7, "Content", '"We are ready,"', '"for anything."'),
        _t(8, "Attribution", "added"),
        "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
        _t(9, "Cue", "was reported"),
        _t(10, "Content", "that the budget is late"),
        _t(11, "Attribution-no-source", "was reported"),
        "E3\tAttribution-no-source:T11 Content:T10 Cue:T9 ",
        _t(12, "Discard", "Follow us on\nTwitter."),
        "#1\tAnnotatorNotes T3\ta note",
        _t(13, "Discuss", "It was reported"),
        "",
    ]
)

# Annotator 2 saw only the first and third attributions.
ANN_2 = "\n".join(
    [
        _t(1, "Cue", "was reported"),
        _t(2, "Content", "that the budget is late"),
        _t(3, "Attribution-no-source", "was reported"),
        "E1\tAttribution-no-source:T3 Content:T2 Cue:T1",
        _t(4, "Source", "Smith"),
        _t(5, "Cue", "said"),
        _t(6, "Content", "that taxes will rise"),
        _t(7, "Attribution", "said"),
        "E2\tAttribution:T7 Source:T4 Cue:T5 Content:T6",
        _t(8, "Discard", "Follow us on\nTwitter."),
        "",
    ]
)


def _spans(*needles: str | tuple[str, int]) -> list[Span]:
    return [Span.of(TEXT, *_at(*((x,) if isinstance(x, str) else x))) for x in needles]


def _attr(id: str, source=(), cue=(), content=()) -> Attribution:
    return Attribution(id, "indirect", source=_spans(*source), cue=_spans(*cue), content=_spans(*content))


def _predictions() -> list[Attribution]:
    return [
        # Right source and cue; content misses "that" and takes the period (J = 15/21).
        _attr("p1", ["Smith"], ["said"], ["taxes will rise."]),
        # Source too short; content has one of the two fragments (J = 15/30 = 0.5, still a match).
        _attr("p2", ["mayor"], ["added"], ['"We are ready,"']),
        # No source, like gold; cue too short; content exact.
        _attr("p3", [], ["reported"], ["that the budget is late"]),
        # Spurious, repeating the source "Smith" and cue "said".
        _attr("p5", ["Smith"], ["said"], ["Smith said"]),
    ]


IN_DISCARD = _attr("p4", ["us"], ["Follow"], ["Twitter."])


# --- the reader ------------------------------------------------------------


def test_read_ann_builds_attributions_from_the_text():
    gold = read_ann(ANN_1, TEXT)
    assert [a.id for a in gold] == ["E1", "E2", "E3"]
    e1, e2, e3 = gold
    assert [s.text for s in e1.source] == ["Smith"]
    assert [s.text for s in e1.cue] == ["said"]
    assert [s.text for s in e1.content] == ["that taxes will rise"]
    assert [s.text for s in e2.content] == ['"We are ready,"', '"for anything."']
    assert e3.source == []
    assert all(a.kind == "other" for a in gold)
    for a in gold:
        for span in a.source + a.cue + a.content:
            assert TEXT[span.start : span.end] == span.text


def test_read_ann_merges_repeated_roles_into_one_mention():
    ann = "\n".join(
        [
            _t(1, "Content", "that taxes will rise"),
            _t(2, "Content", '"We are ready,"'),
            _t(3, "Cue", "said"),
            _t(4, "Attribution-no-source", "said"),
            "E1\tAttribution-no-source:T4 Content:T2 Content2:T1 Cue:T3",
        ]
    )
    (a,) = read_ann(ann, TEXT)
    assert [s.text for s in a.content] == ["that taxes will rise", '"We are ready,"']  # sorted by offset


def test_read_ann_skips_orphans_and_empty_events():
    ann = "\n".join(
        [
            _t(1, "Source", "Smith"),  # named by no event
            _t(2, "Attribution-no-source", "said"),
            "E1\tAttribution-no-source:T2 ",  # a bare trigger
        ]
    )
    assert read_ann(ann, TEXT) == []


def test_read_discards():
    assert read_discards(ANN_1) == [_at("Follow us on\nTwitter.")]
    assert read_discards("T1\tDiscard 1 3;5 9\tab cdef\n") == [(1, 3), (5, 9)]


def test_read_ann_file(tmp_path):
    path = tmp_path / "a_1111.ann"
    path.write_text(ANN_1, encoding="utf-8")
    assert read_ann_file(path, TEXT) == read_ann(ANN_1, TEXT)
    with pytest.raises(OnrecordError) as err:
        read_ann_file(tmp_path / "missing.ann", TEXT)
    assert err.value.code == "E101"


@pytest.mark.parametrize(
    "line",
    [
        "T1\tSource 5\tSmith",  # one offset
        "T1\tSource five 10\tSmith",
        "T1\tSource 10 5\tSmith",  # start after end
        "E1\tAttribution:T1 Source",  # argument without a target
        "E1\tAttribution:T1 Source:T99",  # unknown annotation
        "E1\tAttribution:T1 Speaker:T1",  # unknown role
        "E1\tAttribution:T1 Source:T2",  # T2 runs past the end of the text
    ],
)
def test_malformed_lines_raise_E302_with_line_number(line):
    ann = "T1\tCue 6 10\tsaid\nT2\tSource 0 99999\tSmith\n#1\tAnnotatorNotes T1\tok\n" + line + "\n"
    with pytest.raises(OnrecordError) as err:
        read_ann(ann, TEXT, path="x.ann")
    assert err.value.code == "E302"
    assert "line 4" in str(err.value)
    assert "x.ann" in str(err.value)


# --- the metrics -------------------------------------------------------------


def test_score_document_counts_by_hand():
    c = score_document(read_ann(ANN_1, TEXT), _predictions(), TEXT)
    # Source: gold Smith, the mayor; predicted Smith, mayor, Smith.
    assert c.source_exact == Tally(tp=1, fp=2, fn=1)
    assert c.source_overlap == Tally(tp=2, fp=1, fn=0)
    # Cue: gold said, added, was reported; predicted said, added, reported, said.
    assert c.cue_exact == Tally(tp=2, fp=2, fn=1)
    assert c.cue_overlap == Tally(tp=3, fp=1, fn=0)
    # Content: only p3 is exact; p1, p2, p3 overlap; "Smith said" overlaps nothing.
    assert c.content_exact == Tally(tp=1, fp=3, fn=2)
    assert c.content_overlap == Tally(tp=3, fp=1, fn=0)
    # Attributions: p1-E1, p2-E2 (J exactly 0.5), p3-E3 match; p5 does not.
    assert c.attribution == Tally(tp=3, fp=1, fn=0)
    assert c.source_correct == 2  # E1 right, E2 wrong ("mayor"), E3 right (both without source)
    assert c.cue_correct == 2  # E1, E2 right, E3 wrong ("reported")
    assert c.source_accuracy == pytest.approx(2 / 3)


def test_score_document_second_annotator_by_hand():
    c = score_document(read_ann(ANN_2, TEXT), _predictions(), TEXT)
    assert c.source_exact == Tally(1, 2, 0)
    assert c.source_overlap == Tally(1, 2, 0)
    assert c.cue_exact == Tally(1, 3, 1)
    assert c.cue_overlap == Tally(2, 2, 0)
    assert c.content_exact == Tally(1, 3, 1)
    assert c.content_overlap == Tally(2, 2, 0)
    assert c.attribution == Tally(2, 2, 0)
    assert (c.source_correct, c.cue_correct) == (2, 1)


def test_whitespace_around_fragments_is_ignored():
    gold = [_attr("g", ["Smith"], ["said"], ["that taxes will rise"])]
    s, e = _at("Smith said")
    padded = Attribution("p", "x", source=[Span.of(TEXT, s, s + 6)], cue=[Span.of(TEXT, s + 5, e + 1)])
    padded.content = _spans("that taxes will rise")
    c = score_document(gold, [padded], TEXT)
    assert (c.source_exact.tp, c.cue_exact.tp, c.content_exact.tp) == (1, 1, 1)


def test_shared_source_counts_once_per_attribution():
    # Two gold attributions share the mention "Smith"; one prediction finds only one of them.
    gold = [
        _attr("g1", ["Smith"], ["said"], ["that taxes will rise"]),
        _attr("g2", ["Smith"], ["said"], ["Smith said"]),
    ]
    c = score_document(gold, [_attr("p", ["Smith"], ["said"], ["that taxes will rise"])], TEXT)
    assert c.source_exact == Tally(1, 0, 1)
    assert c.source_overlap == Tally(1, 0, 1)


def test_overlap_needs_a_shared_word():
    gold = [_attr("g", content=["taxes will rise."])]
    assert score_document(gold, [_attr("p", content=[" rise. "])], TEXT).content_overlap.tp == 1
    # Shares the period with gold, but no word.
    c = score_document(gold, [_attr("p", content=['. "We are'])], TEXT)
    assert c.content_overlap == Tally(0, 1, 1)


def test_overlap_on_wordless_mentions_uses_characters():
    # A punctuation cue has no word to share; overlapping characters are enough.
    gold = [_attr("g", cue=[","], content=["Smith"])]
    pred = [_attr("p", cue=[',"'], content=["Smith"])]
    c = score_document(gold, pred, TEXT)
    assert c.cue_exact == Tally(0, 1, 1)
    assert c.cue_overlap == Tally(1, 0, 0)


def test_attribution_ties_go_to_the_pair_that_agrees_on_source():
    # Two sources credited with the same content; the predictions come in the other order.
    content = ["that taxes will rise"]
    gold = [_attr("g1", ["Smith"], ["said"], content), _attr("g2", ["the mayor"], ["said"], content)]
    pred = [_attr("p1", ["the mayor"], ["said"], content), _attr("p2", ["Smith"], ["said"], content)]
    c = score_document(gold, pred, TEXT)
    assert c.attribution == Tally(2, 0, 0)
    assert c.source_correct == 2


def test_attribution_below_jaccard_half_does_not_match():
    gold = [_attr("g", ["Smith"], ["said"], ["that taxes will rise"])]  # 20 characters
    c = score_document(gold, [_attr("p", ["Smith"], ["said"], ["that taxes"])], TEXT)  # 10/20
    assert c.attribution == Tally(1, 0, 0)
    c = score_document(gold, [_attr("p", ["Smith"], ["said"], ["that tax"])], TEXT)  # 8/20
    assert c.attribution == Tally(0, 1, 1)
    assert c.source_correct == 0


def test_counts_add_and_score():
    a = Counts(source_exact=Tally(1, 2, 3), attribution=Tally(2, 0, 0), source_correct=1, cue_correct=2)
    b = Counts(source_exact=Tally(3, 0, 1), attribution=Tally(2, 2, 4), source_correct=3, cue_correct=0)
    total = a + b
    assert total.source_exact == Tally(4, 2, 4)
    assert total.attribution == Tally(4, 2, 4)
    assert (total.source_correct, total.cue_correct) == (4, 2)
    assert total.cue_exact == Tally()
    d = total.as_dict()
    assert d["source"]["exact"]["precision"] == pytest.approx(4 / 6, abs=1e-4)
    assert d["source"]["exact"]["recall"] == pytest.approx(0.5)
    assert d["source"]["exact"]["f1"] == pytest.approx(2 * (4 / 6) * 0.5 / (4 / 6 + 0.5), abs=1e-4)
    assert d["attribution"]["source_accuracy"] == pytest.approx(1.0)
    assert d["attribution"]["cue_accuracy"] == pytest.approx(0.5)
    assert d["cue"]["overlap"]["f1"] == 0.0  # nothing to score is 0, not a ZeroDivisionError
    json.dumps(d)


# --- the corpus runner --------------------------------------------------------


def _fake_corpus(root: Path) -> Path:
    split = root / "data" / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "a.txt").write_text(TEXT, encoding="utf-8", newline="")
    (split / "attributions" / "a_1111.ann").write_text(ANN_1, encoding="utf-8", newline="")
    (split / "attributions" / "a_2222.ann").write_text(ANN_2, encoding="utf-8", newline="")
    (split / "text" / "b_c.txt").write_text("Nothing here.\n", encoding="utf-8")
    (split / "attributions" / "b_c_3333.ann").write_text("", encoding="utf-8")
    (split / "text" / "unannotated.txt").write_text("Not scored.\n", encoding="utf-8")
    return root


def test_evaluate_polnear_sums_annotators_and_drops_discarded(tmp_path):
    root = _fake_corpus(tmp_path)
    seen: list[list[str]] = []

    def predict(texts: list[str]):
        seen.append(texts)
        return [_predictions() + [IN_DISCARD], []]

    report = evaluate_polnear(root, "dev", predict)
    assert seen == [[TEXT, "Nothing here.\n"]]  # one batch, sorted by article name
    assert (report.n_articles, report.n_files) == (2, 3)
    expected = score_document(read_ann(ANN_1, TEXT), _predictions(), TEXT) + score_document(
        read_ann(ANN_2, TEXT), _predictions(), TEXT
    )
    assert report.counts == expected
    assert report.counts.attribution == Tally(5, 3, 0)
    assert [d.article for d in report.per_document] == ["a", "b_c"]
    assert report.per_document[0].annotation_files == ["a_1111.ann", "a_2222.ann"]
    assert report.per_document[1].counts == Counts()
    d = report.as_dict()
    assert d["articles"] == 2 and d["annotation_files"] == 3
    assert d["scores"]["attribution"]["tp"] == 5
    json.dumps(d)


def test_judged_gives_each_annotation_file_its_gold_and_the_predictions_outside_its_discards(tmp_path):
    root = _fake_corpus(tmp_path)
    files = list(judged(root, "dev", lambda texts: [_predictions() + [IN_DISCARD], []]))
    assert [(j.article, j.path.name) for j in files] == [("a", "a_1111.ann"), ("a", "a_2222.ann"), ("b_c", "b_c_3333.ann")]
    assert files[0].gold == read_ann(ANN_1, TEXT) and files[1].gold == read_ann(ANN_2, TEXT) and files[2].gold == []
    assert files[0].predicted == files[1].predicted == _predictions()  # the one inside a Discard span is gone
    assert files[0].text == TEXT and files[2].predicted == []


def test_evaluate_polnear_without_discard_filter_counts_the_prediction(tmp_path):
    # The same prediction outside any Discard span is a false positive: the filter is what removed it.
    root = _fake_corpus(tmp_path)
    for ann in (root / "data" / "dev" / "attributions").glob("a_*.ann"):
        ann.write_text("\n".join(l for l in ann.read_text().split("\n") if "Discard" not in l), encoding="utf-8")
    report = evaluate_polnear(root, "dev", lambda texts: [_predictions() + [IN_DISCARD], []])
    assert report.counts.attribution == Tally(5, 5, 0)


def test_evaluate_polnear_accepts_data_folder_and_limit(tmp_path):
    root = _fake_corpus(tmp_path)
    report = evaluate_polnear(root / "data", "dev", lambda texts: [[] for _ in texts], limit=1)
    assert (report.n_articles, report.n_files) == (1, 2)
    assert report.counts.attribution == Tally(0, 0, 5)


def test_evaluate_polnear_not_a_root_is_E301(tmp_path):
    with pytest.raises(OnrecordError) as err:
        evaluate_polnear(tmp_path, "dev", lambda texts: [])
    assert err.value.code == "E301"
    _fake_corpus(tmp_path)
    with pytest.raises(OnrecordError) as err:
        evaluate_polnear(tmp_path, "test", lambda texts: [])
    assert err.value.code == "E301"


def test_evaluate_polnear_stray_ann_is_E303(tmp_path):
    root = _fake_corpus(tmp_path)
    (root / "data" / "dev" / "attributions" / "zzz_1111.ann").write_text("", encoding="utf-8")
    with pytest.raises(OnrecordError) as err:
        evaluate_polnear(root, "dev", lambda texts: [[] for _ in texts])
    assert err.value.code == "E303"


@pytest.mark.parametrize("n", [1, 3])
def test_evaluate_polnear_wrong_number_of_predictions_is_E304(tmp_path, n):
    root = _fake_corpus(tmp_path)
    with pytest.raises(OnrecordError) as err:
        evaluate_polnear(root, "dev", lambda texts: [[] for _ in range(n)])
    assert err.value.code == "E304"


def test_evaluate_polnear_malformed_ann_is_E302(tmp_path):
    root = _fake_corpus(tmp_path)
    (root / "data" / "dev" / "attributions" / "b_c_3333.ann").write_text("T1\tSource x\n", encoding="utf-8")
    with pytest.raises(OnrecordError) as err:
        evaluate_polnear(root, "dev", lambda texts: [[] for _ in texts])
    assert err.value.code == "E302"
    assert "b_c_3333.ann" in str(err.value)


def test_format_report_is_an_aligned_table(tmp_path):
    report = evaluate_polnear(_fake_corpus(tmp_path), "dev", lambda texts: [_predictions(), []])
    out = format_report(report)
    lines = out.splitlines()
    assert lines[0].startswith("PolNeAR dev: 2 articles, 3 annotation files")
    rows = [l for l in lines if l.split()[:1] in (["source"], ["cue"], ["content"], ["attribution"])]
    assert len(rows) == 7
    assert len({len(r) for r in rows}) == 1  # aligned
    assert "source accuracy" in out and "cue accuracy" in out
    content_exact = next(r for r in rows if r.split()[:2] == ["content", "exact"])
    tally = report.counts.content_exact
    assert content_exact.split()[2:] == [
        f"{tally.precision:.3f}", f"{tally.recall:.3f}", f"{tally.f1:.3f}", str(tally.tp), str(tally.fp), str(tally.fn)
    ]


# --- real PolNeAR ------------------------------------------------------------


def _dev_files() -> list[Path]:
    files = sorted((POLNEAR / "data" / "dev" / "attributions").glob("*.ann"))
    assert files, f"PolNeAR dev split not found under {POLNEAR}"
    return files


def _dev_text(ann: Path) -> str:
    path = ann.parent.parent / "text" / f"{ann.stem.rpartition('_')[0]}.txt"
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


@pytest.mark.slow
def test_real_dev_gold_against_itself_is_perfect():
    n = 0
    for ann in _dev_files():
        text = _dev_text(ann)
        gold = read_ann_file(ann, text)
        n += len(gold)
        d = score_document(gold, gold, text).as_dict()
        for role in ("source", "cue", "content"):
            for match in ("exact", "overlap"):
                assert d[role][match]["fp"] == d[role][match]["fn"] == 0, (ann.name, role, match)
        assert d["attribution"]["tp"] == len(gold), ann.name
        assert d["attribution"]["source_correct"] == d["attribution"]["cue_correct"] == len(gold), ann.name
    assert n > 2000  # PolNeAR dev has about 2,300 attributions


@pytest.mark.slow
def test_real_dev_evaluate_polnear_with_first_annotator_as_prediction():
    files = _dev_files()
    first: dict[str, Path] = {}
    for ann in files:
        first.setdefault(ann.stem.rpartition("_")[0], ann)
    first = dict(sorted(first.items()))  # articles come sorted by name

    def predict(texts):
        assert texts == [_dev_text(path) for path in first.values()]
        return [read_ann_file(path, text) for path, text in zip(first.values(), texts)]

    report = evaluate_polnear(POLNEAR, "dev", predict)
    assert isinstance(report, Report)
    assert report.n_articles == len(first) and report.n_files == len(files)
    single = [d for d in report.per_document if len(d.annotation_files) == 1]
    assert len(single) > 50
    for d in single:
        s = d.counts.as_dict()
        for role in ("source", "cue", "content"):
            assert s[role]["exact"]["f1"] == 1.0 or s[role]["exact"]["tp"] + s[role]["exact"]["fn"] == 0, d.article
        assert s["attribution"]["f1"] == 1.0, d.article
    # Double-annotated articles disagree a little, so the total is high but below 1.
    assert 0.9 < report.counts.attribution.f1 < 1.0


def _report_of(tallies: list[Tally]) -> Report:
    docs = [DocumentScore(f"a{i}", [f"a{i}_1.ann"], Counts(content_exact=t)) for i, t in enumerate(tallies)]
    return Report(split="dev", root="x", counts=sum((d.counts for d in docs), Counts()), n_articles=len(docs),
                  per_document=docs)


def test_the_f1_interval_resamples_articles_and_holds_the_score():
    report = _report_of([Tally(9, 1, 0), Tally(2, 3, 5), Tally(5, 5, 5), Tally(0, 0, 4), Tally(7, 2, 1)])
    low, high = report.f1_interval("content")
    assert low < report.counts.content_exact.f1 < high
    assert report.f1_interval("content") == (low, high)  # the same seed, the same interval
    narrow = report.f1_interval("content", level=0.5)
    assert low < narrow[0] < narrow[1] < high
    # a role with no counts scores 0; articles that all score alike leave nothing to resample
    assert report.f1_interval("source") == (0.0, 0.0)
    same = _report_of([Tally(3, 1, 1)] * 4)
    assert same.f1_interval("content") == pytest.approx((0.75, 0.75))
    assert "f1_interval_exact" in report.as_dict() and _report_of([]).f1_interval("content") == (0.0, 0.0)


def test_format_report_gives_each_roles_interval(tmp_path):
    report = evaluate_polnear(_fake_corpus(tmp_path), "dev", lambda texts: [_predictions(), []])
    line = next(l for l in format_report(report).splitlines() if "bootstrap" in l)
    low, high = report.f1_interval("cue")
    assert f"cue {low:.3f}-{high:.3f}" in line and "over the 2 articles" in line
