"""Distillation's torch-free parts: the teacher's per-piece logits follow the student's training windows,
padding leaves them out, and a tokenizer with RoBERTa-style markers (MPNet's) frames windows with them."""

from __future__ import annotations

import numpy as np
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace

from onrecord.extraction.transformer import WordPieceTagger
from onrecord.train.corpus import Example
from onrecord.train.transformer import _IGNORE, _collate, _training_windows


def _tokenizer(markers: tuple[str, str]) -> Tokenizer:
    words = ["[UNK]", "<pad>", *markers, "the", "minister", "said", "it", "rained", "."]
    tok = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    return tok


TEXT = "the minister said it rained . the minister said it rained ."


def _example() -> Example:
    return Example(name="a", text=TEXT, roles={"source": [(0, 12)], "cue": [(13, 17)], "content": [(18, 29)]},
                   discards=[])


def test_teacher_logits_are_sliced_with_each_training_window_and_padded_out():
    tagger = WordPieceTagger(_tokenizer(("[CLS]", "[SEP]")), run=None, size=5, stride=5)
    pieces = len(tagger.pieces(TEXT)[0])
    soft = np.arange(pieces * 9, dtype=np.float32).reshape(pieces, 9)
    windows = _training_windows(tagger, [_example()], [soft])
    spans = [span for _, _, chunk in tagger.batches(tagger.pieces(TEXT)[0]) for span in chunk]
    assert spans == [(0, 5), (5, 10), (7, 12)]
    assert all(np.array_equal(t, soft[s:e]) for (_, _, t), (s, e) in zip(windows, spans))
    short = _training_windows(WordPieceTagger(tagger.tokenizer, run=None, size=8, stride=8), [_example()], [soft])
    ids, mask, labels, teacher = _collate(short[:1] + [(short[0][0][:3], short[0][1][:1], short[0][2][:1])])
    assert teacher.shape == (2, 10, 9) and not teacher[:, 0].any()  # nothing for [CLS]
    assert np.array_equal(teacher[1, 1], soft[0]) and not teacher[1, 2:].any()  # nor for [SEP] and padding
    assert (labels[1, 2:] == _IGNORE).all() and mask[1].tolist() == [1, 1, 1] + [0] * 7


def test_without_a_teacher_there_are_no_soft_targets():
    tagger = WordPieceTagger(_tokenizer(("[CLS]", "[SEP]")), run=None, size=5, stride=5)
    windows = _training_windows(tagger, [_example()])
    assert all(t is None for _, _, t in windows) and _collate(windows)[3] is None


def test_robertas_markers_frame_windows_where_berts_are_missing():
    bert, mpnet = (WordPieceTagger(_tokenizer(m), run=None) for m in (("[CLS]", "[SEP]"), ("<s>", "</s>")))
    assert (bert.cls, bert.sep) == (2, 3) and (mpnet.cls, mpnet.sep) == (2, 3)
    ids, _, _ = mpnet.batches(mpnet.pieces("the minister said")[0])[0]
    assert ids[0].tolist() == [2, 4, 5, 6, 3]


def test_the_teachers_last_layer_rides_beside_its_logits_through_the_windows():
    """With ``distill_hidden`` a piece's targets are 9 logits then the teacher's vector: both padded alike."""
    tagger = WordPieceTagger(_tokenizer(("[CLS]", "[SEP]")), run=None, size=8, stride=8)
    pieces = len(tagger.pieces(TEXT)[0])
    wide = np.random.default_rng(0).normal(size=(pieces, 9 + 4)).astype(np.float16)
    windows = _training_windows(tagger, [_example()], [wide])
    _, _, labels, teacher = _collate(windows)
    assert teacher.shape == (len(windows), 10, 13) and teacher.dtype == np.float32
    s, e = [span for _, _, chunk in tagger.batches(tagger.pieces(TEXT)[0]) for span in chunk][0]
    assert np.array_equal(teacher[0, 1 : 1 + e - s], wide[s:e].astype(np.float32))
    assert not teacher[0, 0].any() and not teacher[0, 1 + e - s :].any()
