"""Forecasts: the horizon reader, the estimative scale, and the clause rules on hand-built Docs."""

from datetime import date

import pytest

from docspec import make_doc, span_of
from onrecord.forecast import due_date, estimative_probability, find_forecasts, points_forward
from onrecord.model import Attribution, Entity, SpeakerRef

FEB_14 = date(2023, 2, 14)


@pytest.mark.parametrize(
    "expression, due",
    [
        ("the spring", date(2023, 5, 31)),
        ("next spring", date(2023, 5, 31)),
        ("spring 2024", date(2024, 5, 31)),
        ("the winter", date(2023, 2, 28)),
        ("next year", date(2024, 12, 31)),
        ("the end of next year", date(2024, 12, 31)),
        ("later this month", date(2023, 2, 28)),
        ("next month", date(2023, 3, 31)),
        ("next week", date(2023, 2, 26)),
        ("within two years", date(2025, 2, 14)),
        ("the next 18 months", date(2024, 8, 14)),
        ("the coming months", date(2023, 8, 14)),
        ("the coming weeks", date(2023, 4, 11)),
        ("2025", date(2025, 12, 31)),
        ("early 2025", date(2025, 4, 30)),
        ("in early 2025", date(2025, 4, 30)),
        ("the middle of 2025", date(2025, 8, 31)),
        ("September", date(2023, 9, 30)),
        ("January", date(2024, 1, 31)),
        ("the first half of next year", date(2024, 6, 30)),
        ("the end of the decade", date(2029, 12, 31)),
        ("tomorrow", date(2023, 2, 15)),
    ],
)
def test_due_dates_from_the_article_date(expression, due):
    assert due_date(expression, FEB_14) == due


NOV_10 = date(2023, 11, 10)


@pytest.mark.parametrize(
    "expression, due",
    [
        ("in the first quarter", date(2024, 3, 31)),  # said in November: next year's
        ("Q1", date(2024, 3, 31)),
        ("the first half", date(2024, 6, 30)),
        ("within weeks", date(2024, 1, 5)),
        ("within months", date(2024, 5, 10)),
        ("in a year and a half", date(2025, 5, 10)),
        ("early next year", date(2024, 4, 30)),
        ("the last week of June", date(2024, 6, 30)),  # "last" as an ordinal, not looking back
    ],
)
def test_due_dates_late_in_the_year(expression, due):
    assert due_date(expression, NOV_10) == due


@pytest.mark.parametrize("expression", ["soon", "last year", "two weeks ago", "the future"])
def test_no_due_date_where_the_words_give_none(expression):
    assert due_date(expression, FEB_14) is None


def test_nothing_is_due_without_the_article_date():
    assert due_date("next year", None) is None


@pytest.mark.parametrize(
    "expression, forward",
    [("the spring", True), ("next year", True), ("in three weeks", True), ("last month", False),
     ("this week", False), ("January 2012", False), ("by 2030", True)],
)
def test_which_expressions_point_forward_without_a_date(expression, forward):
    assert points_forward(expression) is forward


def test_points_forward_with_a_date_compares_the_due_date():
    assert points_forward("September", date(2023, 2, 14))
    assert not points_forward("2019", date(2023, 2, 14))


@pytest.mark.parametrize(
    "phrase, probability",
    [("likely", 0.675), ("very likely", 0.875), ("unlikely", 0.325), ("almost certainly", 0.97), ("will", 0.9), ("could", None)],
)
def test_the_estimative_scale(phrase, probability):
    assert estimative_probability(phrase) == probability


def test_a_phrase_off_the_scale_is_a_key_error():
    with pytest.raises(KeyError):
        estimative_probability("perchance")


GALLYAMOV = SpeakerRef("e1", "Abbas Gallyamov", "person")


def _att(doc, ident, content, cue, kind="indirect", speaker=GALLYAMOV):
    return Attribution(ident, kind, [], [span_of(doc, cue)], [span_of(doc, content)], speaker=speaker)


def test_a_predicted_will_clause_is_a_forecast_with_its_speaker():
    doc = make_doc(
        "Commanders/NOUN/nsubj/2/t=NNS will/AUX/aux/2/t=MD fight/VERB/ccomp/6/t=VB on/ADP/prep/2 sides/NOUN/pobj/3/t=NNS "
        ",/PUNCT/punct/6 he/PRON/nsubj/6 predicted/VERB/ROOT/6/l=predict ./PUNCT/punct/6"
    )
    att = _att(doc, "a1", "Commanders will fight on sides", "predicted")
    (forecast,) = find_forecasts(doc, [att], [])
    assert forecast.text.text == "Commanders will fight on sides"
    assert (forecast.estimative.text, forecast.probability) == ("will", 0.9)
    assert forecast.attribution == "a1" and forecast.speaker == GALLYAMOV
    assert forecast.id == "f1" and forecast.horizon is None and forecast.due is None


def test_an_estimate_of_the_present_is_not_a_forecast():
    # "Putin likely already has a plan, he said."
    doc = make_doc(
        "Putin/PROPN/nsubj/3 likely/ADV/advmod/3/t=RB already/ADV/advmod/3/t=RB has/VERB/ccomp/7/t=VBZ a/DET/det/5 "
        "plan/NOUN/dobj/3 ,/PUNCT/punct/7 he/PRON/nsubj/7 said/VERB/ROOT/7 ./PUNCT/punct/7"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "Putin likely already has a plan", "said")], []) == []


def test_an_estimative_adverb_on_a_future_clause_sets_the_probability():
    # "Prices will very likely rise, she said."
    doc = make_doc(
        "Prices/NOUN/nsubj/4/t=NNS will/AUX/aux/4/t=MD very/ADV/advmod/3/t=RB likely/ADV/advmod/4/t=RB rise/VERB/ccomp/7/t=VB "
        ",/PUNCT/punct/7 she/PRON/nsubj/7 said/VERB/ROOT/7 ./PUNCT/punct/7"
    )
    (forecast,) = find_forecasts(doc, [_att(doc, "a1", "Prices will very likely rise", "said")], [])
    assert (forecast.estimative.text, forecast.probability) == ("very likely", 0.875)


def test_a_present_plan_with_a_forward_date_falls_due():
    # "Reports indicate that he is preparing an offensive in the spring."
    doc = make_doc(
        "Reports/NOUN/nsubj/1/t=NNS indicate/VERB/ROOT/1/t=VBP that/SCONJ/mark/5/t=IN he/PRON/nsubj/5 is/AUX/aux/5 "
        "preparing/VERB/ccomp/1/t=VBG an/DET/det/7 offensive/NOUN/dobj/5 in/ADP/prep/5 the/DET/det/10/e=B-DATE "
        "spring/NOUN/pobj/8/e=I-DATE ./PUNCT/punct/1"
    )
    att = _att(doc, "a1", "that he is preparing an offensive in the spring", "indicate")
    (forecast,) = find_forecasts(doc, [att], [], published=FEB_14)
    assert forecast.text.text == "he is preparing an offensive in the spring"
    assert forecast.estimative is None and forecast.probability is None
    assert (forecast.horizon.text, forecast.due) == ("the spring", "2023-05-31")


def test_a_past_clause_with_a_date_is_not_a_forecast():
    # "Officials said they set it up in September."
    doc = make_doc(
        "Officials/NOUN/nsubj/1/t=NNS said/VERB/ROOT/1 they/PRON/nsubj/3 set/VERB/ccomp/1/t=VBD it/PRON/dobj/3 "
        "up/ADP/prt/3/t=RP in/ADP/prep/3 September/PROPN/pobj/6/e=B-DATE ./PUNCT/punct/1"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "they set it up in September", "said")], [], published=FEB_14) == []


@pytest.mark.parametrize("kind, found", [("indirect", 1), ("direct", 0)])
def test_would_counts_only_as_reported_will(kind, found):
    # "The firm would cut jobs, he said."
    doc = make_doc(
        "The/DET/det/1 firm/NOUN/nsubj/3 would/AUX/aux/3/t=MD cut/VERB/ccomp/7/t=VB jobs/NOUN/dobj/3/t=NNS "
        ",/PUNCT/punct/7 he/PRON/nsubj/7 said/VERB/ROOT/7 ./PUNCT/punct/7"
    )
    assert len(find_forecasts(doc, [_att(doc, "a1", "The firm would cut jobs", "said", kind=kind)], [])) == found


def test_a_reported_would_with_an_open_condition_counts_but_not_its_condition():
    # "They said they would act if Pyongyang tests next month."  (the guide's "earlier conditional pledge":
    # the condition, a present verb with a date, would be a forecast of its own were it a main clause)
    doc = make_doc(
        "They/PRON/nsubj/1 said/VERB/ROOT/1 they/PRON/nsubj/4 would/AUX/aux/4/t=MD act/VERB/ccomp/1/t=VB "
        "if/SCONJ/mark/7 Pyongyang/PROPN/nsubj/7 tests/VERB/advcl/4/t=VBZ next/ADJ/amod/9/e=B-DATE "
        "month/NOUN/npadvmod/7/e=I-DATE ./PUNCT/punct/1"
    )
    found = find_forecasts(doc, [_att(doc, "a1", "they would act if Pyongyang tests next month", "said")], [])
    assert [f.estimative.text for f in found] == ["would"]
    assert found[0].text.text == "they would act if Pyongyang tests next month"


def test_habitual_would_is_not_a_forecast():
    # "She said professors would sometimes dismiss her."
    doc = make_doc(
        "She/PRON/nsubj/1 said/VERB/ROOT/1 professors/NOUN/nsubj/5/t=NNS would/AUX/aux/5/t=MD sometimes/ADV/advmod/5/t=RB "
        "dismiss/VERB/ccomp/1/t=VB her/PRON/dobj/5 ./PUNCT/punct/1"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "professors would sometimes dismiss her", "said")], []) == []


def test_a_question_is_not_a_forecast():
    # "“Will you pledge it?” he asked."
    doc = make_doc(
        "“/PUNCT/punct/3 Will/AUX/aux/3/t=MD you/PRON/nsubj/3 pledge/VERB/ccomp/7/t=VB it/PRON/dobj/3 ?/PUNCT/punct/3/t=. "
        "”/PUNCT/punct/3 he/PRON/nsubj/8 asked/VERB/ROOT/8 ./PUNCT/punct/8"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "Will you pledge it", "asked", kind="direct")], []) == []


def test_each_conjunct_is_its_own_forecast_and_a_relative_clause_is_not():
    # "He said prices will rise and wages will fall, which is likely to hurt."
    doc = make_doc(
        "He/PRON/nsubj/1 said/VERB/ROOT/1 prices/NOUN/nsubj/4/t=NNS will/AUX/aux/4/t=MD rise/VERB/ccomp/1/t=VB "
        "and/CCONJ/cc/4 wages/NOUN/nsubj/8/t=NNS will/AUX/aux/8/t=MD fall/VERB/conj/4/t=VB ,/PUNCT/punct/8 "
        "which/PRON/nsubj/11/t=WDT is/AUX/relcl/8 likely/ADJ/acomp/11 to/PART/aux/14/t=TO hurt/VERB/xcomp/12/t=VB ./PUNCT/punct/1"
    )
    att = _att(doc, "a1", "prices will rise and wages will fall, which is likely to hurt", "said")
    assert [f.text.text for f in find_forecasts(doc, [att], [])] == ["prices will rise", "wages will fall, which is likely to hurt"]


def test_a_clause_in_nested_contents_belongs_to_the_innermost():
    doc = make_doc(
        "Prices/NOUN/nsubj/2/t=NNS will/AUX/aux/2/t=MD rise/VERB/ccomp/4/t=VB ,/PUNCT/punct/4 he/PRON/nsubj/5 "
        "said/VERB/ccomp/9 ,/PUNCT/punct/9 the/DET/det/8 paper/NOUN/nsubj/9 reported/VERB/ROOT/9 ./PUNCT/punct/9"
    )
    paper = SpeakerRef("e2", "the paper", "media_outlet")
    outer = _att(doc, "a1", "Prices will rise, he said", "reported", speaker=paper)
    inner = _att(doc, "a2", "Prices will rise", "said")
    (forecast,) = find_forecasts(doc, [outer, inner], [])
    assert forecast.attribution == "a2" and forecast.speaker == GALLYAMOV


def _headline_doc():
    # 'Coup is likely as he looks like a “second-rate dictator”' ¶ '“He is a second-rate dictator,” Gallyamov said.'
    return make_doc(
        "Coup/NOUN/nsubj/1 is/AUX/ROOT/1 likely/ADJ/acomp/1 as/SCONJ/mark/5 he/PRON/nsubj/5 looks/VERB/advcl/1 "
        "like/ADP/prep/5 a/DET/det/10 “/PUNCT/punct/10 second-rate/ADJ/amod/10 dictator/NOUN/pobj/6 ”/PUNCT/punct/1 "
        "¶ “/PUNCT/punct/20 He/PRON/nsubj/15 is/AUX/ccomp/20 a/DET/det/18 second-rate/ADJ/amod/18 dictator/NOUN/attr/15 "
        ",/PUNCT/punct/20 ”/PUNCT/punct/20 Gallyamov/PROPN/nsubj/20 said/VERB/ROOT/20 ./PUNCT/punct/20"
    )


def test_a_headline_forecast_is_credited_to_the_speaker_it_quotes():
    doc = _headline_doc()
    quote = _att(doc, "a1", "“He is a second-rate dictator,”", "said", kind="direct")
    (forecast,) = find_forecasts(doc, [quote], [], publisher="Insider")
    assert forecast.text.text == "Coup is likely"
    assert forecast.attribution is None and forecast.speaker == GALLYAMOV
    assert (forecast.estimative.text, forecast.probability) == ("likely", 0.675)


def test_an_unquoted_headline_forecast_is_the_publishers():
    doc = _headline_doc()
    insider = Entity("e9", "Insider", "media_outlet")
    (forecast,) = find_forecasts(doc, [], [insider], publisher="Insider")
    assert forecast.speaker == insider.ref()


def test_a_stated_plan_is_a_forecast_counted_but_not_scored():
    # "The campaign said it plans to release the records."
    doc = make_doc(
        "The/DET/det/1 campaign/NOUN/nsubj/2 said/VERB/ROOT/2 it/PRON/nsubj/4 plans/VERB/ccomp/2/t=VBZ/l=plan "
        "to/PART/aux/6/t=TO release/VERB/xcomp/4/t=VB the/DET/det/8 records/NOUN/dobj/6/t=NNS ./PUNCT/punct/2"
    )
    (forecast,) = find_forecasts(doc, [_att(doc, "a1", "it plans to release the records", "said")], [])
    assert forecast.text.text == "it plans to release the records"
    assert (forecast.estimative.text, forecast.probability) == ("plans", None)


def test_a_duty_is_not_a_forecast():
    # "He said they will have to act."
    doc = make_doc(
        "He/PRON/nsubj/1 said/VERB/ROOT/1 they/PRON/nsubj/4 will/AUX/aux/4/t=MD have/VERB/ccomp/1/t=VB "
        "to/PART/aux/6/t=TO act/VERB/xcomp/4/t=VB ./PUNCT/punct/1"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "they will have to act", "said")], []) == []


def test_an_embedded_question_is_not_a_forecast():
    # "He wondered whether the moderators will be fair."
    doc = make_doc(
        "He/PRON/nsubj/1 wondered/VERB/ROOT/1 whether/SCONJ/mark/5/t=IN the/DET/det/4 moderators/NOUN/nsubj/5/t=NNS "
        "will/AUX/aux/5/t=MD be/AUX/ccomp/1/t=VB fair/ADJ/acomp/6 ./PUNCT/punct/1"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "whether the moderators will be fair", "wondered")], []) == []


@pytest.mark.parametrize("cue, tag, found", [("said", "VBD", 1), ("says", "VBZ", 0)])
def test_would_after_a_present_cue_is_a_hypothetical(cue, tag, found):
    # "She said / says the party would be wise to act."  (after "says", "would" is not a reported "will")
    doc = make_doc(
        f"She/PRON/nsubj/1 {cue}/VERB/ROOT/1/t={tag} the/DET/det/3 party/NOUN/nsubj/5 would/AUX/aux/5/t=MD "
        "be/AUX/ccomp/1/t=VB wise/ADJ/acomp/5 ./PUNCT/punct/1"
    )
    assert len(find_forecasts(doc, [_att(doc, "a1", "the party would be wise", cue)], [])) == found


def test_sure_that_is_about_the_present_and_sure_to_is_a_forecast():
    # "He said she is sure to win." / "He said she is sure."
    to_win = make_doc(
        "He/PRON/nsubj/1 said/VERB/ROOT/1 she/PRON/nsubj/3 is/AUX/ccomp/1 sure/ADJ/acomp/3 to/PART/aux/6/t=TO "
        "win/VERB/xcomp/4/t=VB ./PUNCT/punct/1"
    )
    (forecast,) = find_forecasts(to_win, [_att(to_win, "a1", "she is sure to win", "said")], [])
    assert (forecast.estimative.text, forecast.probability) == ("sure", 0.97)
    bare = make_doc("He/PRON/nsubj/1 said/VERB/ROOT/1 she/PRON/nsubj/3 is/AUX/ccomp/1 sure/ADJ/acomp/3 ./PUNCT/punct/1")
    assert find_forecasts(bare, [_att(bare, "a1", "she is sure", "said")], []) == []


def test_a_second_conjunct_shares_the_modal_of_the_first():
    # "He said it will cut rates and ease sanctions."
    doc = make_doc(
        "He/PRON/nsubj/1 said/VERB/ROOT/1 it/PRON/nsubj/4 will/AUX/aux/4/t=MD cut/VERB/ccomp/1/t=VB rates/NOUN/dobj/4/t=NNS "
        "and/CCONJ/cc/4 ease/VERB/conj/4/t=VB sanctions/NOUN/dobj/7/t=NNS ./PUNCT/punct/1"
    )
    found = find_forecasts(doc, [_att(doc, "a1", "it will cut rates and ease sanctions", "said")], [])
    assert [(f.text.text, f.estimative.text) for f in found] == [("it will cut rates", "will"), ("ease sanctions", "will")]


def test_i_will_tell_you_is_a_performative_not_a_forecast():
    # "“I will tell you,” he said."
    doc = make_doc(
        "“/PUNCT/punct/3 I/PRON/nsubj/3 will/AUX/aux/3/t=MD tell/VERB/ccomp/6/t=VB/l=tell you/PRON/dobj/3 "
        ",/PUNCT/punct/6 he/PRON/nsubj/6 said/VERB/ROOT/6 ./PUNCT/punct/6"
    )
    assert find_forecasts(doc, [_att(doc, "a1", "I will tell you", "said", kind="direct")], []) == []


def test_the_content_of_a_pledge_is_a_forecast():
    # "Clinton pledged to push for an amendment."
    doc = make_doc(
        "Clinton/PROPN/nsubj/1 pledged/VERB/ROOT/1/l=pledge to/PART/aux/3/t=TO push/VERB/xcomp/1/t=VB "
        "for/ADP/prep/3 an/DET/det/6 amendment/NOUN/pobj/4 ./PUNCT/punct/1"
    )
    (forecast,) = find_forecasts(doc, [_att(doc, "a1", "to push for an amendment", "pledged")], [])
    assert forecast.text.text == "to push for an amendment"
    assert (forecast.estimative.text, forecast.probability) == ("pledged", None)


def test_a_horizon_takes_the_preposition_it_needs():
    # "He said the bridge will open within two years."  (spaCy's DATE is "two years")
    doc = make_doc(
        "He/PRON/nsubj/1 said/VERB/ROOT/1 the/DET/det/3 bridge/NOUN/nsubj/5 will/AUX/aux/5/t=MD open/VERB/ccomp/1/t=VB "
        "within/ADP/prep/5 two/NUM/nummod/8/e=B-DATE years/NOUN/pobj/6/t=NNS/e=I-DATE ./PUNCT/punct/1"
    )
    (forecast,) = find_forecasts(doc, [_att(doc, "a1", "the bridge will open within two years", "said")], [], published=NOV_10)
    assert (forecast.horizon.text, forecast.due) == ("within two years", "2025-11-10")


def test_a_plan_keeps_the_date_of_what_it_plans():
    # "Acme plans to hire workers next year, she said."
    doc = make_doc(
        "Acme/PROPN/nsubj/1 plans/VERB/ccomp/8/t=VBZ/l=plan to/PART/aux/3/t=TO hire/VERB/xcomp/1/t=VB workers/NOUN/dobj/3/t=NNS "
        "next/ADJ/amod/6/e=B-DATE year/NOUN/npadvmod/3/e=I-DATE ,/PUNCT/punct/8 she/PRON/nsubj/8 said/VERB/ROOT/8 ./PUNCT/punct/8"
    )
    (forecast,) = find_forecasts(doc, [_att(doc, "a1", "Acme plans to hire workers next year", "said")], [], published=NOV_10)
    assert (forecast.estimative.text, forecast.horizon.text, forecast.due) == ("plans", "next year", "2024-12-31")


def test_a_likely_to_headline_without_a_verb_is_a_forecast():
    # 'Inflation likely to ease next year' ¶ 'Prices rose, she said.'
    doc = make_doc(
        "Inflation/NOUN/nsubj/1 likely/ADJ/ROOT/1 to/PART/aux/3/t=TO ease/VERB/xcomp/1/t=VB next/ADJ/amod/5/e=B-DATE "
        "year/NOUN/npadvmod/3/e=I-DATE ¶ Prices/NOUN/nsubj/8/t=NNS rose/VERB/ccomp/11 ,/PUNCT/punct/11 she/PRON/nsubj/11 "
        "said/VERB/ROOT/11 ./PUNCT/punct/11"
    )
    insider = Entity("e9", "Insider", "media_outlet")
    (forecast,) = find_forecasts(doc, [], [insider], publisher="Insider", published=NOV_10)
    assert forecast.text.text == "Inflation likely to ease next year"
    assert (forecast.estimative.text, forecast.probability, forecast.due) == ("likely", 0.675, "2024-12-31")


def test_a_headline_that_is_an_attribution_is_not_also_the_publishers_forecast():
    # 'Minister vows to cut lists' ¶ 'She said so.'
    doc = make_doc(
        "Minister/NOUN/nsubj/1 vows/VERB/ROOT/1/t=VBZ/l=vow to/PART/aux/3/t=TO cut/VERB/xcomp/1/t=VB lists/NOUN/dobj/3/t=NNS "
        "¶ She/PRON/nsubj/7 said/VERB/ROOT/7 so/ADV/advmod/7 ./PUNCT/punct/7"
    )
    pledge = _att(doc, "a1", "to cut lists", "vows")
    (forecast,) = find_forecasts(doc, [pledge], [Entity("e9", "Insider", "media_outlet")], publisher="Insider")
    assert forecast.text.text == "to cut lists" and forecast.speaker == GALLYAMOV


def test_a_conjunct_does_not_borrow_a_modal_from_outside_its_content():
    # the parser joined a headline "Fed will cut rates" to "Prices rose in October, it said."
    doc = make_doc(
        "Fed/PROPN/nsubj/2 will/AUX/aux/2/t=MD cut/VERB/ROOT/2/t=VB rates/NOUN/dobj/2/t=NNS ¶ Prices/NOUN/nsubj/6/t=NNS "
        "rose/VERB/conj/2/t=VB in/ADP/prep/6 October/PROPN/pobj/7/e=B-DATE ,/PUNCT/punct/11 it/PRON/nsubj/11 said/VERB/ccomp/2 ./PUNCT/punct/2"
    )
    att = _att(doc, "a1", "Prices rose in October", "said")
    assert [f.text.text for f in find_forecasts(doc, [att], [], published=NOV_10) if f.attribution] == []


@pytest.mark.slow
def test_published_on_the_command_line_dates_plain_text(tmp_path, capsys):
    import json

    from onrecord.cli import main

    article = tmp_path / "a.txt"
    article.write_text("The mayor said the new bridge will be finished within two years.\n", encoding="utf-8")
    assert main(["extract", str(article), "--model", "rules", "--format", "json", "--published", "2023-11-10"]) == 0
    (forecast,) = json.loads(capsys.readouterr().out)["forecasts"]
    assert (forecast["horizon"]["text"], forecast["due"]) == ("within two years", "2025-11-10")
    with pytest.raises(SystemExit):
        main(["extract", str(article), "--published", "10/11/2023"])
