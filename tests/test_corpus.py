"""Training examples on the text as onrecord reads it at run time, and predictions mapped back."""

from onrecord.model import Attribution, Span
from onrecord.train.corpus import load_split, on_normalised

# a no-break space, curly quotes and a TeX-style pair (two characters become one)
TEXT = "Intro.\n\u201cTaxes\u00a0rise,\u201d she said.\n``We win,'' he said."
QUOTE_1 = "\u201cTaxes\u00a0rise,\u201d"
QUOTE_2 = "``We win,''"


def _corpus(tmp_path):
    split = tmp_path / "data" / "train"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "a.txt").write_bytes(TEXT.encode("utf-8"))
    q1, q2 = TEXT.index(QUOTE_1), TEXT.index(QUOTE_2)
    s1, s2 = TEXT.index("she"), TEXT.rindex("he said")
    ann = (
        f"T1\tContent {q1} {q1 + len(QUOTE_1)}\t{QUOTE_1}\n"
        f"T2\tSource {s1} {s1 + 3}\tshe\n"
        f"T3\tCue {s1 + 4} {s1 + 8}\tsaid\n"
        f"T4\tAttribution {s1 + 4} {s1 + 8}\tsaid\n"
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n"
        f"T5\tContent {q2} {q2 + len(QUOTE_2)}\t{QUOTE_2}\n"
        f"T6\tSource {s2} {s2 + 2}\the\n"
        f"T7\tCue {s2 + 3} {s2 + 7}\tsaid\n"
        f"T8\tAttribution {s2 + 3} {s2 + 7}\tsaid\n"
        "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6\n"
    )
    (split / "attributions" / "a_x.ann").write_text(ann, encoding="utf-8")
    return tmp_path


def test_normalised_examples_carry_the_gold_spans_onto_the_normalised_text(tmp_path):
    raw = load_split(_corpus(tmp_path), "train")[0]
    example = load_split(tmp_path, "train", normalised=True)[0]
    assert raw.text == TEXT
    assert example.text == 'Intro.\n"Taxes rise," she said.\n"We win," he said.'
    contents = [a.content[0] for a in example.attributions]
    assert [c.text for c in contents] == ['"Taxes rise,"', '"We win,"']
    assert all(example.text[c.start : c.end] == c.text for c in contents)
    assert [example.text[s:e] for s, e in example.roles["source"]] == ["she", "he"]
    assert [example.text[s:e] for s, e in example.roles["cue"]] == ["said", "said"]


def test_predictions_on_the_normalised_text_come_back_in_original_offsets():
    def predict(text):
        start = text.index('"We')
        return [Attribution(id="a1", kind="direct", content=[Span.of(text, start, start + 9)], cue=[], source=[])]

    (att,) = next(on_normalised(predict)([TEXT]))
    assert att.content[0].text == QUOTE_2
    assert TEXT[att.content[0].start : att.content[0].end] == QUOTE_2
