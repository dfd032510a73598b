"""The accurate preset's pointer head: features, decoding, and the loader with a tiny head built here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from spacy.lang.en import English
from spacy.tokens import Doc
from test_learned import _tiny_crf, _tiny_model

from onrecord.errors import ModelError
from onrecord.extraction.pointer import (
    BRANCH_LABELS,
    HINTS,
    PieceIndex,
    PointerHead,
    Reading,
    _pair_band,
    article_hints,
    branches,
    cue_hints,
    decode_pointers,
    features,
    load_pointer,
    paragraphs,
    piece_range,
    same_cue,
)
from onrecord.extraction.presets import (
    _closing_clause_sources,
    _one_line,
    _pointed,
    _relay_speakers,
    _rule_only,
    _trim_content,
    preset_attributions,
)
from onrecord.extraction.quotes import find_quotes
from onrecord.extraction.transformer import load_accurate
from onrecord.model import Attribution, Span
from onrecord.train.pointer import _taught, _teacher_scores

_W = 4  # the tiny head's window: pieces either side of the cue
_INPUTS = ("hidden", "logits", "cue", "rel", "para", "iscue", "mask", "hints")


def test_piece_range_finds_the_pieces_a_character_span_touches():
    offsets = [(0, 5), (6, 10), (11, 16), (17, 21), (21, 22)]
    assert piece_range(offsets, 6, 10) == (1, 1)
    assert piece_range(offsets, 7, 18) == (1, 3)  # partial pieces count
    assert piece_range(offsets, 10, 11) is None  # only the space between pieces
    assert piece_range(offsets, 21, 22) == (4, 4)


def test_features_centre_the_window_on_the_cue_and_mask_outside_the_article():
    n, dim = 5, 3
    hidden = np.arange(n * dim, dtype=np.float32).reshape(n, dim)
    logits = np.zeros((n, 9), dtype=np.float32)
    paras = paragraphs("Smith said\ntaxes rise.", [(0, 5), (6, 10), (11, 16), (17, 21), (21, 22)])
    assert paras.tolist() == [0, 0, 1, 1, 1]
    built = features(hidden, logits, paras, [(1, 1)], window=_W)
    centre = _W  # the cue's first piece sits in the middle of the window
    assert built["mask"][0].tolist() == [False] * 3 + [True] * 5 + [False]
    assert built["iscue"][0].tolist() == [0] * centre + [1] + [0] * _W
    assert np.array_equal(built["hidden"][0, centre], hidden[1])
    assert np.array_equal(built["cue"][0], hidden[1])
    assert built["rel"][0, centre] == 0 and built["rel"][0, centre + 1] == 1
    assert built["rel"][0, centre - 1] != built["rel"][0, centre + 1]  # before and after differ
    assert built["para"][0, centre + 1] == built["para"][0, centre] + 1  # "taxes" is one paragraph on


def test_hints_mark_the_rules_reading_of_the_article_and_of_the_cue_being_read():
    text = 'Smith said "taxes rise" and Jones agreed.'
    offsets = [(m.start(), m.end()) for m in re.finditer(r'\w+|"', text)]
    rule = _att(text, "said", "Smith", '"taxes rise"')
    other = _att(text, "agreed", "Jones")  # no content: not the rules' reading of any cue
    hints = article_hints(text, PieceIndex(offsets), [rule, other])
    words = [text[s:e] for s, e in offsets]
    assert [w for w, h in zip(words, hints[:, 0]) if h] == ['"', "taxes", "rise", '"']  # in a quotation
    assert [w for w, h in zip(words, hints[:, 2]) if h] == ["Smith", "Jones"]  # in a rules source
    assert [w for w, h in zip(words, hints[:, 3]) if h] == ["said", "agreed"]  # in a rules cue
    assert same_cue(_chars(_span(text, "agreed")), [rule, other]) is None
    own = cue_hints(PieceIndex(offsets), same_cue(_chars(_span(text, "said")), [rule, other]))
    assert sorted(own) == [(4, 2, 5), (5, 2, 2), (6, 5, 5), (7, 0, 0)]  # content, its first and last piece, source

    n = len(offsets)
    built = features(np.zeros((n, 3), np.float32), np.zeros((n, 9), np.float32), np.zeros(n, np.int64), [(1, 1)],
                     window=_W, hints=hints, owns=[own])
    assert built["hints"].shape == (1, 2 * _W + 1, HINTS)
    row = built["hints"][0]  # piece p sits at p - 1 + _W
    assert row[_W - 1, 7] == 1 and row[_W + 1, 5] == 1 and row[_W + 4, 6] == 1 and row[_W + 4, 4] == 1
    assert row[_W + 1, :4].tolist() == hints[2].tolist()
    assert not row[0].any()  # outside the article


def test_branches_say_how_each_piece_hangs_from_the_cue_in_the_parse():
    words = ["The", "minister", "said", "that", "taxes", "rise", ".", "According", "to", "aides", ",", "it", "failed"]
    heads = [1, 2, 2, 5, 5, 2, 2, 12, 7, 8, 12, 12, 12]
    deps = ["det", "nsubj", "ROOT", "mark", "nsubj", "ccomp", "punct", "prep", "prep", "pobj", "punct", "nsubj", "ROOT"]
    doc = Doc(English().vocab, words=words, heads=heads, deps=deps, sent_starts=[1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    # pieces: "minister" is two of them; each piece reads its token's branch
    offsets = [(t.idx, t.idx + len(t)) for t in doc]
    offsets[1:2] = [(doc[1].idx, doc[1].idx + 4), (doc[1].idx + 4, doc[1].idx + 8)]
    label = dict(enumerate(["outside", "cue", "governs", "subtree"])) | {4 + k: lab for k, lab in enumerate(BRANCH_LABELS)}
    said, according = branches(doc, offsets, [(doc[2].idx, doc[2].idx + 4), (doc[7].idx, doc[8].idx + 2)])
    assert [label[b] for b in said] == ["nsubj"] * 3 + ["cue"] + ["ccomp"] * 3 + ["punct"] + ["outside"] * 6
    # "according to" hangs from the clause it governs, its object is its own subtree
    assert [label[b] for b in according[8:]] == ["cue", "cue", "prep", "governs", "governs", "governs"]
    assert said.shape == (len(offsets),)
    built = features(np.zeros((14, 3), np.float32), np.zeros((14, 9), np.float32), np.zeros(14, np.int64), [(3, 3)],
                     window=_W, branch=[said])
    assert built["branch"][0, _W].item() == 1 and built["branch"][0, _W + 1].item() == 4  # "said", "that" (ccomp)
    assert built["branch"][0, 0].item() == 0  # outside the article reads "outside"


def _log_probs(points: dict[int, tuple[int, int] | None], n: int) -> np.ndarray:
    """(n + 1, 6) scores: each role's start and end where ``points`` says, or its "none" row."""
    scores = np.full((n + 1, 6), -10.0)
    for r, span in points.items():
        if span is None:
            scores[n, 2 * r] = scores[n, 2 * r + 1] = 0.0
        else:
            scores[span[0], 2 * r] = scores[span[1], 2 * r + 1] = 0.0
    return scores


def test_decoding_keeps_start_before_end_within_the_longest_span():
    scores = _log_probs({0: (2, 5), 1: (1, 1), 2: None}, 9)
    scores[7, 0] = -0.5  # a better-looking start after the end may not win
    assert decode_pointers(scores, max_pieces=(10, 10, 10)) == [(2, 5), (1, 1), None]
    # a content longer than the limit gives way to the best short one
    assert decode_pointers(scores, max_pieces=(3, 10, 10))[0] != (2, 5)


def test_decoding_none_bias_trades_recall_for_precision():
    scores = _log_probs({0: (2, 3), 1: (1, 1), 2: (4, 4)}, 9)
    scores[9, 4] = scores[9, 5] = -1.0  # "not a cue" is plausible, but less so than the cue
    assert decode_pointers(scores, (10, 10, 10))[2] == (4, 4)
    assert decode_pointers(scores, (10, 10, 10), null_bias=(0.0, 0.0, 20.0))[2] is None


def test_pairs_let_where_a_content_ends_depend_on_where_it_starts():
    scores = _log_probs({0: (2, 5), 1: (1, 1), 2: None}, 9)
    pairs = np.zeros((9, 9))  # (start, end) -> what the head adds to that content's score
    pairs[2, 3] = 20.0  # starting at 2, ending at 3 now beats ending at 5
    assert decode_pointers(scores, (10, 10, 10), pairs=pairs)[0] == (2, 3)
    pairs[2, 3] = -20.0  # and a pair the head rules out gives way
    assert decode_pointers(scores, (10, 10, 10), pairs=pairs)[:2] == [(2, 5), (1, 1)]  # other roles read no pairs


def test_the_pair_band_is_the_start_by_end_table_along_each_diagonal():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(2, 7, 7)).astype(np.float32)
    band = _pair_band(table, 3)
    for i in range(7):
        for k in range(3):
            expected = table[:, i, i + k] if i + k < 7 else 0.0
            assert np.allclose(band[:, i, k], expected, atol=1e-5)


def _tiny_pointer(folder, table: np.ndarray, pairs: np.ndarray | None = None, logits: bool = True) -> None:
    """A head whose scores are a fixed (positions + 1, 6) table, whatever it reads; with ``pairs`` (positions,
    positions), it also reads the parse (``branch``) and gives ``pairs``, each start's row doubled where the
    start is not "outside" the cue's clause. Without ``logits`` it has no input for the tagger's scores, as
    a head trained with ``read_logits = false``."""
    nodes = [
        helper.make_node("Shape", ["cue"], ["shape"]),
        helper.make_node("Slice", ["shape", "zero", "one"], ["rows"]),
        helper.make_node("Concat", ["rows", "ones"], ["repeats"], axis=0),
        helper.make_node("Tile", ["table", "repeats"], ["scores"]),
    ]
    types = {"rel": TensorProto.INT64, "para": TensorProto.INT64, "iscue": TensorProto.INT64, "mask": TensorProto.BOOL,
             "branch": TensorProto.INT64}
    names = tuple(n for n in _INPUTS if logits or n != "logits") + (("branch",) if pairs is not None else ())
    inputs = [helper.make_tensor_value_info(name, types.get(name, TensorProto.FLOAT), None) for name in names]
    outputs = [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["cues", table.shape[0], 6])]
    constants = [numpy_helper.from_array(table[None].astype(np.float32), "table"),
                 numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
                 numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
                 numpy_helper.from_array(np.array([1, 1], dtype=np.int64), "ones")]
    if pairs is not None:
        nodes += [
            helper.make_node("Cast", ["branch"], ["inside"], to=TensorProto.BOOL),  # (cues, positions)
            helper.make_node("Cast", ["inside"], ["weight"], to=TensorProto.FLOAT),
            helper.make_node("Add", ["weight", "one_f"], ["scale"]),
            helper.make_node("Unsqueeze", ["scale", "minus_one"], ["scale3"]),  # (cues, positions, 1)
            helper.make_node("Mul", ["scale3", "pair_table"], ["pairs"]),
        ]
        outputs.append(helper.make_tensor_value_info("pairs", TensorProto.FLOAT, ["cues", pairs.shape[0], pairs.shape[1]]))
        constants += [numpy_helper.from_array(pairs[None].astype(np.float32), "pair_table"),
                      numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one_f"),
                      numpy_helper.from_array(np.array([-1], dtype=np.int64), "minus_one")]
    graph = helper.make_graph(nodes, "tiny_pointer", inputs, outputs, constants)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, folder / "pointer.onnx")
    (folder / "pointer.json").write_text(json.dumps({"window": _W, "max_pieces": [20, 5, 3], "batch_size": 2}))


def _with_hidden(folder) -> None:
    """Give the tiny tagger a ``hidden`` output (its one-hot piece ids), as exported taggers have."""
    model = onnx.load(folder / "model.onnx")
    vocab = numpy_helper.to_array(model.graph.initializer[0]).shape[0]
    model.graph.initializer.append(numpy_helper.from_array(np.eye(vocab, dtype=np.float32), "eye"))
    model.graph.node.append(helper.make_node("Gather", ["eye", "input_ids"], ["hidden"], axis=0))
    model.graph.output.append(helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "pieces", vocab]))
    onnx.save(model, folder / "model.onnx")


@pytest.fixture
def accurate_with_head(tmp_path, monkeypatch):
    """A tiny tagger plus head as the accurate preset's model; "Smith said taxes rise." has pieces 0-4."""

    def build(points):
        _tiny_model(tmp_path, window=64, stride=48)
        _with_hidden(tmp_path)
        # window positions: piece p sits at p - (cue piece 1) + _W
        _tiny_pointer(tmp_path, _log_probs({r: None if s is None else (s[0] + _W - 1, s[1] + _W - 1)
                                            for r, s in points.items()}, 2 * _W + 1))
        monkeypatch.setenv("ONRECORD_ACCURATE_MODEL", str(tmp_path))
        load_accurate.cache_clear()

    yield build
    load_accurate.cache_clear()


def _doc(text_words):
    words, spaces = text_words
    return Doc(English().vocab, words=words, spaces=spaces, sent_starts=[True] + [False] * (len(words) - 1))


_SMITH = (["Smith", "said", "taxes", "rise", "."], [True, True, True, False, False])


def test_the_head_rereads_each_cue_content_source_and_cue(accurate_with_head):
    # The tiny tagger reads content "taxes rise"; the head says the content is "taxes" alone.
    accurate_with_head({0: (2, 2), 1: (0, 0), 2: (1, 1)})
    assert load_accurate().pointer is not None
    [att] = preset_attributions(_doc(_SMITH), "accurate")
    assert [s.text for s in att.source] == ["Smith"]
    assert [s.text for s in att.cue] == ["said"]
    assert [s.text for s in att.content] == ["taxes"]
    assert att.kind == "indirect" and att.id == "a1"


def test_a_cue_the_head_rejects_is_dropped(accurate_with_head):
    accurate_with_head({0: (2, 3), 1: (0, 0), 2: None})
    assert preset_attributions(_doc(_SMITH), "accurate") == []


def test_a_content_around_its_own_cue_is_cut_in_two(accurate_with_head):
    # '"Taxes rise," Smith said, "and rates fall."' in the tiny vocabulary: the head's one stretch
    # runs over the cue and source, which leave two fragments
    accurate_with_head({0: (-1, 4), 1: (0, 0), 2: (1, 1)})
    words = (["taxes", "smith", "said", "rise", "and", "taxes"], [True] * 5 + [False])
    doc = _doc(words)
    head = load_accurate().pointer
    tagger = load_accurate()
    reading = tagger.read(doc.text)
    [found] = head.read(doc.text, reading.offsets, reading.hidden, reading.logits, [(12, 16)])
    assert doc.text[slice(*found.cue)] == "said" and doc.text[slice(*found.source)] == "smith"
    [att] = preset_attributions(doc, "accurate")
    assert [s.text for s in att.content] == ["taxes", "rise and taxes"]


def test_the_fast_preset_head_reads_spacy_features_beside_the_crf(tmp_path, monkeypatch):
    from onrecord.extraction.crf import load_fast

    doc = _tiny_crf(tmp_path)
    # window positions: token p sits at p - (cue token 1) + _W; the CRFs read content "taxes rise"
    _tiny_pointer(tmp_path, _log_probs({0: (2 + _W - 1, 2 + _W - 1), 1: (_W - 1, _W - 1), 2: (_W, _W)}, 2 * _W + 1))
    monkeypatch.setenv("ONRECORD_FAST_MODEL", str(tmp_path))
    load_fast.cache_clear()
    try:
        assert preset_attributions(doc, "fast")[0].content[0].text == "taxes rise"  # no tok2vec output: no head
        doc.tensor = np.ones((len(doc), 4), dtype=np.float32)
        [att] = preset_attributions(doc, "fast")
        load_fast().pointer.dim = 96  # a head trained on other features: the CRFs' reading stands
        [unread] = preset_attributions(doc, "fast")
    finally:
        load_fast.cache_clear()
    assert (att.source[0].text, att.cue[0].text, [c.text for c in att.content]) == ("Smith", "said", ["taxes"])
    assert unread.content[0].text == "taxes rise"


def test_a_head_that_reads_the_parse_gets_it_and_its_pairs_decide_where_content_ends(tmp_path):
    words, spaces = _SMITH
    parsed = Doc(English().vocab, words=words, spaces=spaces, heads=[1, 1, 3, 1, 1],
                 deps=["nsubj", "ROOT", "nsubj", "ccomp", "punct"])
    offsets = [(t.idx, t.idx + len(t)) for t in parsed]
    # window positions: token p sits at p - (cue token 1) + _W; alone, the scores say content "taxes rise"
    table = _log_probs({0: (2 + _W - 1, 3 + _W - 1), 1: (_W - 1, _W - 1), 2: (_W, _W)}, 2 * _W + 1)
    pairs = np.zeros((2 * _W + 1, 2 * _W + 1), dtype=np.float32)
    pairs[2 + _W - 1, 2 + _W - 1] = 6.0  # "taxes" to "taxes" scores -10 + 6; -10 + 12 where the parse is read
    _tiny_pointer(tmp_path, table, pairs)
    head = load_pointer(tmp_path, "accurate")
    assert head.syntax
    cue = [(parsed[1].idx, parsed[1].idx + 4)]
    args = (parsed.text, offsets, np.zeros((5, 3), np.float32), np.zeros((5, 9), np.float32), cue)
    rule = _att(parsed.text, "said", "Smith", "taxes rise")
    [unparsed] = head.read(*args, [rule])
    [read] = head.read(*args, [rule], doc=parsed)
    assert parsed.text[slice(*unparsed.content)] == "taxes rise"
    assert parsed.text[slice(*read.content)] == "taxes" and parsed.text[slice(*read.source)] == "Smith"
    # how much lower the head scores the rules' content than its own: -10 + 12 for "taxes", 0 for "taxes rise"
    assert unparsed.rules_doubt == 0.0 and read.rules_doubt == pytest.approx(2.0)
    assert head.read(*args)[0].rules_doubt is None  # no rules' reading of the cue


def test_a_head_trained_without_the_taggers_scores_reads_without_them(tmp_path):
    # fast's head is trained with read_logits = false: its graph has no "logits" input at all
    _tiny_pointer(tmp_path, _log_probs({0: (2 + _W - 1, 3 + _W - 1), 1: (_W - 1, _W - 1), 2: (_W, _W)}, 2 * _W + 1),
                  logits=False)
    head = load_pointer(tmp_path, "fast")
    text = "Smith said taxes rise."
    offsets = [(0, 5), (6, 10), (11, 16), (17, 21), (21, 22)]
    [read] = head.read(text, offsets, np.zeros((5, 3), np.float32), np.zeros((5, 9), np.float32), [(6, 10)])
    assert (text[slice(*read.source)], text[slice(*read.cue)], text[slice(*read.content)]) == (
        "Smith", "said", "taxes rise")


def test_half_a_pointer_head_raises_e203(tmp_path):
    _tiny_model(tmp_path, window=64, stride=48)
    (tmp_path / "pointer.json").write_text("{}")
    load_accurate.cache_clear()
    try:
        with pytest.raises(ModelError) as info:
            load_accurate(str(tmp_path))
    finally:
        load_accurate.cache_clear()
    assert info.value.code == "E203" and "pointer.onnx" in str(info.value)


def test_pointer_head_reads_cues_in_batches():
    seen = []

    def run(inputs):
        seen.append(len(inputs["cue"]))
        return np.tile(_log_probs({0: (5, 5), 1: None, 2: (4, 4)}, 2 * _W + 1)[None], (len(inputs["cue"]), 1, 1))

    head = PointerHead(run, window=_W, max_pieces=(5, 5, 5), null_bias=(0, 0, 0), batch_size=2)
    text = "a b c d e f g"
    offsets = [(i, i + 1) for i in range(0, 13, 2)]
    out = head.read(text, offsets, np.zeros((7, 3)), np.zeros((7, 9)), [(0, 1), (2, 3), (4, 5), (5, 6)])
    assert seen == [2, 1]  # the space (5, 6) covers no piece: no reading
    assert out[3] is None
    assert text[slice(*out[1].cue)] == "b" and text[slice(*out[1].content)] == "c" and out[1].source is None


# --- how the head's readings become attributions (no model: readings given by hand) -------------


def _span(text: str, part: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Span.of(text, start, start + len(part))


def _att(text: str, cue: str, source: str | None = None, content: str | None = None) -> Attribution:
    return Attribution(
        id="", kind="indirect", cue=[_span(text, cue)],
        source=[_span(text, source)] if source else [], content=[_span(text, content)] if content else [],
    )


def _chars(span: Span) -> tuple[int, int]:
    return span.start, span.end


def test_a_content_over_a_line_break_keeps_the_line_nearest_its_cue():
    text = 'The senator said "We will win."\n\n"Next quote," she added.'
    content = [Span.of(text, text.index('"We'), text.index(',"') + 2)]
    [kept] = _one_line(text, content, _span(text, "said"))
    assert kept.text == '"We will win."'
    [kept] = _one_line(text, content, _span(text, "added"))
    assert kept.text == '"Next quote,"'
    assert _one_line(text, [_span(text, "We will win")], None)[0].text == "We will win"  # no break: as is


def test_after_an_interrupted_quotation_the_content_resumes_at_the_next_quotation_mark():
    text = '"It is finished," she said of the election. "In my head, anyway." Then she left.'
    first = _span(text, '"It is finished,"')
    rest = Span.of(text, text.index("of the"), text.index("Then") - 1)  # the head's stretch minus cue and source
    quotes = find_quotes(text)
    assert [f.text for f in _trim_content(text, [first, rest], quotes)] == ['"It is finished,"', '"In my head, anyway."']
    # a content that is one fragment, or a second fragment that starts a quotation, stays as it is
    assert _trim_content(text, [rest], quotes) == [rest]
    second = _span(text, '"In my head, anyway."')
    assert _trim_content(text, [first, second], quotes) == [first, second]
    # the frame's words alone after a quotation are not content; nor is the full stop after prose
    frame = _span(text, "of the election")
    assert _trim_content(text, [first, frame], quotes) == [first]
    assert _trim_content(text, [_span(text, "Then she left.")], quotes)[0].text == "Then she left"
    # nor does reporter's prose after prose: only a quotation the cue interrupts resumes
    prose = Span.of(text, text.index("the election"), text.index("Then") - 1)
    assert _trim_content(text, [_span(text, "she"), prose], quotes)[1] == prose
    # no content starts on the full stop the cue's sentence ended with
    stop = Span.of(text, text.index('. "In'), text.index("Then") - 1)
    assert _trim_content(text, [stop], quotes)[0].text == '"In my head, anyway."'


@pytest.mark.parametrize("sentence, head, content", [
    ("Despite this,  Putin's grip appears firm, diplomats told Reuters.", "Despite this,  Putin's grip appears firm",
     "Putin's grip appears firm"),
    ("However, the vote will be close, she said.", "However, the vote will be close", "the vote will be close"),
    ("In 2009, the vote was close, she said.", "In 2009, the vote was close", "In 2009, the vote was close"),
    ('"However, we won," she said.', '"However, we won,"', '"However, we won,"'),  # a quotation keeps its words
])
def test_a_content_starts_after_the_reporters_leading_connective(sentence, head, content):
    # PolNeAR train starts 35 contents right after such a connective and its comma, and only 2 with one
    trimmed = _trim_content(sentence, [_span(sentence, head)], find_quotes(sentence))
    assert [f.text for f in trimmed] == [content]


def test_the_content_resumes_past_a_quoted_title_in_the_frame():
    text = '"He is right," Flynn said on Fox News\'s "Fox and Friends." "I mean, there is frustration."'
    first = _span(text, '"He is right,"')
    rest = Span.of(text, text.index(" on Fox"), len(text))
    quotes = find_quotes(text)
    kept = _trim_content(text, [first, rest], quotes)
    assert [f.text for f in kept] == ['"He is right,"', '"I mean, there is frustration."']
    # a quotation after a word is still where the content resumes when no other one follows
    text = '"He is right," Flynn said, adding "we will see."'
    rest = Span.of(text, text.index(", adding"), len(text))
    kept = _trim_content(text, [_span(text, '"He is right,"'), rest], find_quotes(text))
    assert kept[1].text == '"we will see."'


def test_prose_content_ends_before_a_closing_citing_or_according_to_clause():
    text = ('He said that Putin has an escape plan, citing unnamed sources. '
            'She said "we will win, according to plan," and left.')
    quotes = find_quotes(text)
    head = _span(text, "that Putin has an escape plan, citing unnamed sources.")
    assert _trim_content(text, [head], quotes)[0].text == "that Putin has an escape plan"
    # inside a quotation the words are the speaker's own
    quoted = _span(text, '"we will win, according to plan,"')
    assert _trim_content(text, [quoted], quotes) == [quoted]
    # a content that starts with the clause keeps it (less the stop it starts on): it would be empty
    opening = _span(text, ", citing unnamed sources")
    assert _trim_content(text, [opening], quotes)[0].text == "citing unnamed sources"
    # a comma before a word not on the list ("including") does not end the content
    text = "He said that Putin has an escape plan, including a jet."
    listed = _span(text, "that Putin has an escape plan, including a jet")
    assert _trim_content(text, [listed], find_quotes(text)) == [listed]


def test_the_head_reading_replaces_the_grouped_one_and_a_rejected_cue_goes():
    text = "Smith said Thursday that taxes rise. Jones claimed nothing."
    atts = [_att(text, "said", "Smith", "that taxes rise."), _att(text, "claimed", "Jones", "nothing")]
    readings = {
        id(atts[0]): Reading(cue=_chars(_span(text, "said Thursday")), source=_chars(_span(text, "Smith")),
                             content=_chars(_span(text, "that taxes rise"))),
        id(atts[1]): Reading(cue=None, source=None, content=None),
    }
    [att] = _pointed(text, atts, readings, [])
    assert (att.cue[0].text, att.source[0].text, att.content[0].text) == ("said Thursday", "Smith", "that taxes rise")
    assert att.id == "a1" and att.kind == "indirect"


def test_the_rules_content_wins_where_it_holds_the_heads_and_their_source_fills_a_gap():
    text = '"Taxes will rise, and soon," Smith said.'
    att = _att(text, "said")
    rule = _att(text, "said", "Smith", '"Taxes will rise, and soon,"')
    reading = Reading(cue=_chars(att.cue[0]), source=None, content=_chars(_span(text, "Taxes will rise")))
    [out] = _pointed(text, [att], {id(att): reading}, [rule])
    assert out.content[0].text == '"Taxes will rise, and soon,"' and out.kind == "direct"
    assert out.source[0].text == "Smith"
    # a head that doubts the rules more than its margin keeps its content, not its gaps
    att = _att(text, "said")
    [own] = _pointed(text, [att], {id(att): reading}, [rule], rules_margin=1.0)
    assert own.content[0].text == "Taxes will rise" and own.source[0].text == "Smith"
    # ...and one that nearly agrees with the rules defers to them
    att, reading.rules_doubt = _att(text, "said"), 0.5
    [deferred] = _pointed(text, [att], {id(att): reading}, [rule], rules_margin=1.0)
    assert deferred.content[0].text == '"Taxes will rise, and soon,"'


def test_a_sourceless_closing_clause_takes_the_source_of_the_attribution_it_closes():
    text = "Smith said that taxes rise, citing unnamed sources. Jones said, adding nothing."
    said, citing = _att(text, "said", "Smith", "that taxes rise"), _att(text, "citing", content="unnamed sources")
    _closing_clause_sources(text, [said, citing])
    assert citing.source[0].text == "Smith"
    # after a quotation: the attribution ends at its cue, right before the comma
    text = '"Taxes rise," Smith said, adding that rates fall.'
    said, adding = _att(text, "said", "Smith", '"Taxes rise,"'), _att(text, "adding", content="that rates fall")
    _closing_clause_sources(text, [said, adding])
    assert adding.source[0].text == "Smith"


def test_a_closing_clause_source_needs_a_listed_participle_right_after_the_attribution():
    # not after a comma that ends the other attribution
    text = "Smith said that taxes rise and prices fall, citing reports."
    said, citing = _att(text, "said", "Smith", "that taxes rise"), _att(text, "citing", content="reports")
    _closing_clause_sources(text, [said, citing])
    assert citing.source == []
    # not a word of data/content_closing_participles.txt
    text = "Smith said that taxes rise, including rents."
    said, including = _att(text, "said", "Smith", "that taxes rise"), _att(text, "including", content="rents")
    _closing_clause_sources(text, [said, including])
    assert including.source == []
    # a source of its own stays
    text = "Smith said that taxes rise, Jones adding that rates fall."
    said, adding = _att(text, "said", "Smith", "that taxes rise"), _att(text, "adding", "Jones", "that rates fall")
    _closing_clause_sources(text, [said, adding])
    assert adding.source[0].text == "Jones"


def test_a_rejected_cue_nested_in_another_content_stays_as_the_rules_read_it():
    text = "The Guardian reported that officials claimed victory."
    outer = _att(text, "reported", "The Guardian", "that officials claimed victory")
    inner = _att(text, "claimed", "The Guardian", "victory")  # grouping gave it the wrong source
    rule = _att(text, "claimed", "officials", "victory")
    readings = {
        id(outer): Reading(cue=_chars(outer.cue[0]), source=_chars(outer.source[0]), content=_chars(outer.content[0])),
        id(inner): Reading(cue=None, source=None, content=None),
    }
    out = _pointed(text, [outer, inner], readings, [rule])
    assert [a.source[0].text for a in out] == ["The Guardian", "officials"]
    assert out[1].parent == out[0].id


def test_a_kept_nested_cue_has_its_own_source_cut_out_of_its_content():
    # the tagger ran the quotation on into its speaker's name; the rules name the speaker
    text = '"Most commanders are opportunists," Gallyamov wrote, according to The Daily Beast.'
    outer = _att(text, "according to", "The Daily Beast", '"Most commanders are opportunists," Gallyamov wrote')
    inner = _att(text, "wrote", None, '"Most commanders are opportunists," Gallyamov')
    rule = _att(text, "wrote", "Gallyamov", '"Most commanders are opportunists,"')
    readings = {
        id(outer): Reading(cue=_chars(outer.cue[0]), source=_chars(outer.source[0]), content=_chars(outer.content[0])),
        id(inner): Reading(cue=None, source=None, content=None),
    }
    out = _pointed(text, [outer, inner], readings, [rule])
    wrote = next(a for a in out if a.cue[0].text == "wrote")
    assert [c.text for c in wrote.content] == ['"Most commanders are opportunists,"'] and wrote.kind == "direct"
    assert wrote.source[0].text == "Gallyamov" and wrote.parent == out[0].id


def test_cues_only_the_rules_found_are_judged_by_the_head_nested_or_not():
    text = "The Guardian reported that officials claimed victory, and Smith agreed that it was."
    outer = _att(text, "reported", "The Guardian", "that officials claimed victory")
    rules = [
        _att(text, "reported", "The Guardian", "that officials claimed victory"),  # the tagger's cue: not borrowed
        _att(text, "claimed", "officials", "victory"),
        _att(text, "agreed", "Smith", "that it was"),
    ]
    borrowed = _rule_only([outer], rules)
    assert [a.cue[0].text for a in borrowed] == ["claimed", "agreed"]
    readings = {
        id(outer): Reading(cue=_chars(outer.cue[0]), source=_chars(outer.source[0]), content=_chars(outer.content[0])),
        id(borrowed[0]): Reading(cue=None, source=None, content=None),  # nested, yet only the rules saw it: goes
        id(borrowed[1]): Reading(cue=_chars(_span(text, "agreed")), source=_chars(_span(text, "Smith")),
                                 content=_chars(_span(text, "that it was"))),
    }
    out = _pointed(text, [outer, *borrowed], readings, rules, frozenset(map(id, borrowed)))
    assert [a.cue[0].text for a in out] == ["reported", "agreed"]


@pytest.mark.parametrize("source", ["a translation from The Daily Beast", "The Daily Beast"])
def test_according_to_a_translation_from_an_outlet_makes_the_outlet_the_source(source):
    # the head may read the medium into the source, or leave it between cue and source
    text = "Putin is weak, according to a translation from The Daily Beast."
    att = _att(text, "according to")
    reading = Reading(cue=_chars(att.cue[0]), source=_chars(_span(text, source)),
                      content=_chars(_span(text, "Putin is weak")))
    [out] = _pointed(text, [att], {id(att): reading}, [])
    assert out.cue[0].text == "according to a translation from"
    assert out.source[0].text == "The Daily Beast"
    assert out.kind == "according_to"


def test_according_to_keeps_its_cue_when_no_medium_leads_to_the_source():
    text = "Putin is weak, according to officials in Kyiv and The Daily Beast."
    att = _att(text, "according to")
    reading = Reading(cue=_chars(att.cue[0]), source=_chars(_span(text, "The Daily Beast")),
                      content=_chars(_span(text, "Putin is weak")))
    [out] = _pointed(text, [att], {id(att): reading}, [])
    assert (out.cue[0].text, out.source[0].text) == ("according to", "The Daily Beast")


def test_the_rules_nested_cue_joins_when_a_news_outlet_or_according_to_relays_it():
    text = ("Officials claimed that 6,500 soldiers sought to surrender, The Guardian reported. "
            "Aides said that Smith wrote it.")
    relay = _att(text, "reported", "The Guardian", "Officials claimed that 6,500 soldiers sought to surrender")
    aides = _att(text, "said", "Aides", "that Smith wrote it")
    claimed = _att(text, "claimed", "Officials", "that 6,500 soldiers sought to surrender")
    sought = _att(text, "sought", "6,500 soldiers", "to surrender")  # inside the claim: not the outlet's speaker
    wrote = _att(text, "wrote", "Smith", "it")  # Aides are no outlet
    out = _relay_speakers([relay, aides], [claimed, sought, wrote])
    assert [a.cue[0].text for a in out] == ["reported", "claimed", "said"]
    assert out[1].parent == out[0].id
    text2 = "Officials claimed that 6,500 soldiers surrendered, according to The Guardian."
    according = _att(text2, "according to", "The Guardian", "Officials claimed that 6,500 soldiers surrendered")
    claimed2 = _att(text2, "claimed", "Officials", "that 6,500 soldiers surrendered")
    assert [a.cue[0].text for a in _relay_speakers([according], [claimed2])] == ["according to", "claimed"]
    tagged = _att(text, "claimed", "Officials", "that 6,500 soldiers")  # a cue of the tagger's there already
    assert _relay_speakers([relay, tagged], [claimed]) == [relay, tagged]


def _teacher_folder(folder, table):
    folder.mkdir()
    _tiny_model(folder, window=64, stride=48)
    _with_hidden(folder)
    _tiny_pointer(folder, table)
    load_accurate.cache_clear()
    return str(folder)


def _student_examples(text, reading):
    """One article as the pointer recipe keeps it, with two cue examples ("said", then "rise")."""
    pieces = PieceIndex(reading.offsets)
    docs = {"a": {"pieces": pieces, "paras": paragraphs(text, reading.offsets), "hints": article_hints(text, pieces, [])}}
    train = [("a", pieces.find(6, 10), [], None, [0] * 6), ("a", pieces.find(17, 21), [], None, [0] * 6)]
    return {"a": text}, docs, train


def test_the_teacher_scores_each_student_example_and_keeps_them(tmp_path):
    table = np.arange((2 * _W + 2) * 6, dtype=np.float32).reshape(2 * _W + 2, 6) / 10
    teacher = _teacher_folder(tmp_path / "teacher", table)
    text = "Smith said taxes rise."
    texts, docs, train = _student_examples(text, load_accurate(teacher).read(text))
    config, out = {"teacher": teacher, "window": _W}, tmp_path / "run"
    out.mkdir()
    scores = _teacher_scores(config, texts, train, docs, out, lambda _: None)
    assert scores.shape == (2, 2 * _W + 2, 6) and scores.dtype == np.float16
    assert np.allclose(scores[1], table, atol=1e-2)
    # a resumed run reads them back instead of running the teacher, which is gone now
    for f in Path(teacher).iterdir():
        f.unlink()
    assert np.array_equal(_teacher_scores(config, texts, train, docs, out, lambda _: None), scores)


def test_a_teacher_with_another_window_or_other_pieces_is_refused(tmp_path):
    table = np.zeros((2 * _W + 2, 6), dtype=np.float32)
    teacher = _teacher_folder(tmp_path / "teacher", table)
    text = "Smith said taxes rise."
    texts, docs, train = _student_examples(text, load_accurate(teacher).read(text))
    with pytest.raises(ModelError, match=r"reads 4 pieces either side of a cue, not 5.*E210"):
        _teacher_scores({"teacher": teacher, "window": _W + 1}, texts, train, docs, tmp_path, print)
    docs["a"]["pieces"] = PieceIndex(load_accurate(teacher).read(text + " The end.").offsets)
    with pytest.raises(ModelError, match=r"cuts article a into \d+ word pieces, the student.s tagger into.*E210"):
        _teacher_scores({"teacher": teacher, "window": _W}, texts, train, docs, tmp_path, print)


def test_only_the_cues_matching_a_gold_one_learn_from_the_teacher_when_asked():
    none = 2 * _W + 1
    targets = np.array([[none] * 6,  # a false cue of the student's: its "none" is left to the gold
                        [none, none, 3, 4, 5, 5],  # a gold cue with a source but no content in reach
                        [1, 9, none, none, 5, 5]])
    assert _taught(targets, none).tolist() == [True, True, True]
    assert _taught(targets, none, "matched").tolist() == [False, True, True]
