"""Provenance: publisher detection, non-responses, chains, and their renderings."""

from __future__ import annotations

import pytest

from onrecord.model import Document, NonResponse, Provenance, ProvenanceEdge, Span, SpeakerRef
from onrecord.provenance import detect_publisher
from onrecord.provenance.chains import _maximal
from onrecord.render import to_chain_text, to_dot, to_mermaid

# --- publisher ------------------------------------------------------------------------------


def test_publisher_from_a_trailing_outlet_line():
    text = "Officials said taxes rise.\n\nA spokesperson did not respond to Insider's request for comment.\n\nBusiness Insider\n\nShare:"
    assert detect_publisher(text) == "Business Insider"


def test_publisher_from_the_request_for_comment_alone():
    assert detect_publisher("The Kremlin did not respond to Reuters' request for comment.") == "Reuters"


def test_publisher_from_a_dateline():
    assert detect_publisher("MOSCOW (Reuters) - The Kremlin said on Monday that taxes rise.") == "Reuters"


@pytest.mark.parametrize(
    ("byline", "outlet"),
    [
        ("By Jane Doe, CNN", "CNN"),
        ("By Jane Doe and John Roe | Reuters", "Reuters"),
        ("By JANE DOE - The New York Times", "The New York Times"),
        ("  By Jane Doe, Associated Press  ", "Associated Press"),
    ],
)
def test_publisher_from_a_byline(byline, outlet):
    assert detect_publisher(f"Taxes to rise\n{byline}\nUpdated 5:32 PM\n\nOfficials said taxes rise.") == outlet


def test_a_byline_without_a_known_outlet_names_none():
    assert detect_publisher("By Jane Doe, Staff Writer\n\nOfficials said taxes rise.") is None
    # "By" later in the text is not a byline
    assert detect_publisher("Taxes rise.\n\n" + "Officials spoke. " * 40 + "\nBy Jane Doe, CNN") is None


def test_no_publisher_when_the_text_does_not_say():
    assert detect_publisher("Smith said taxes rise.\n\nThe end.") is None
    # a short trailing line that is not an outlet is not taken for one
    assert detect_publisher("Smith said taxes rise.\n\nJohn Smith") is None


# --- chains (pure) --------------------------------------------------------------------------


def test_maximal_drops_duplicates_and_contained_chains():
    chains = [["P", "M", "S"], ["P", "D", "M", "S"], ["P", "D", "M", "S"], ["P", "S", "C"]]
    assert _maximal(chains) == [["P", "D", "M", "S"], ["P", "S", "C"]]


def _graph_doc(name: str = "Daily Beast") -> Document:
    graph = Provenance(
        publisher="e1",
        nodes={"e1": ("Business Insider", "media_outlet"), "e2": (name, "media_outlet"), "e3": ("Abbas Gallyamov", "person")},
        edges=[ProvenanceEdge("e1", "e2", "reports", ["a1"]), ProvenanceEdge("e2", "e3", "relays", ["a1", "a2"])],
        chains=[["Business Insider", name, "Abbas Gallyamov"]],
    )
    text = "The Kremlin did not respond."
    silent = NonResponse(Span.of(text, 0, 11), Span.of(text, 12, 27), SpeakerRef("e4", "Kremlin", "government"))
    return Document(text=text, id="seed.txt", provenance=graph, non_responses=[silent])


def test_chain_text():
    out = to_chain_text(_graph_doc())
    assert "publisher Business Insider" in out
    assert "Business Insider ← Daily Beast ← Abbas Gallyamov" in out
    assert "no comment: Kremlin (did not respond)" in out


def test_dot_output_is_a_digraph_with_labelled_edges():
    out = to_dot(_graph_doc())
    assert out.startswith('digraph "seed.txt" {')
    assert '"e1" -> "e2" [label="reports: a1"];' in out
    assert '"e2" -> "e3" [label="relays: a1, a2"];' in out
    assert '"e1" [label="Business Insider (media_outlet)", style="bold"];' in out


def test_mermaid_output():
    out = to_mermaid(_graph_doc())
    assert out.splitlines()[0] == "flowchart LR"
    assert 'e1 -->|"reports: a1"| e2' in out
    assert 'e3["Abbas Gallyamov (person)"]' in out


def test_names_from_the_article_cannot_break_out_of_dot_or_mermaid():
    evil = 'X"]; click e1 "javascript:alert(1)" %% \n<script>'
    dot = to_dot(_graph_doc(evil))
    assert '\\"' in dot and "\n<script>" not in dot
    mermaid = to_mermaid(_graph_doc(evil))
    assert '"]; click' not in mermaid and "<script>" not in mermaid


def test_document_json_has_chains_graph_and_non_responses():
    d = _graph_doc().to_dict()
    assert d["chains"] == [["Business Insider", "Daily Beast", "Abbas Gallyamov"]]
    assert d["provenance"]["edges"][0] == {"from": "e1", "to": "e2", "relation": "reports", "attributions": ["a1"]}
    assert d["non_responses"][0]["entity"]["name"] == "Kremlin"


# --- patterns on short texts (need the parser) ---------------------------------------------------


def _read(text: str, **metadata):
    import onrecord

    return onrecord.extract(text, model="rules", **metadata)


@pytest.mark.slow
def test_told_an_outlet_puts_it_between_publisher_and_speaker():
    doc = _read("Putin's grip on power remains firm, former Western diplomats told Reuters in October.", publisher="Business Insider")
    assert ["Business Insider", "Reuters", "former Western diplomats"] in doc.provenance.chains


@pytest.mark.slow
def test_interview_with_an_outlet():
    doc = _read("Senator John Smith said in an interview with CNN that taxes will rise next year.", publisher="The Hill")
    assert ["The Hill", "CNN", "John Smith"] in doc.provenance.chains


@pytest.mark.slow
def test_outlet_reported_nests_the_claim():
    doc = _read(
        "Ukrainian officials claimed this week that more than 6,500 soldiers have tried to surrender, The Guardian reported.",
        publisher="Business Insider",
    )
    assert ["Business Insider", "The Guardian", "Ukrainian officials"] in doc.provenance.chains


@pytest.mark.slow
def test_column_venue_and_a_later_the_column():
    text = (
        "In an opinion column for the Russian media outlet Mozhem Obyasnit, Abbas Gallyamov wrote that the generals are frustrated.\n\n"
        '"Commanders are opportunists," Gallyamov wrote in the column, according to a translation from The Daily Beast.'
    )
    doc = _read(text, publisher="Business Insider")
    assert ["Business Insider", "The Daily Beast", "Mozhem Obyasnit", "Abbas Gallyamov"] in doc.provenance.chains
    assert any(t == "media_outlet" for _, (n, t) in doc.provenance.nodes.items() if n == "Mozhem Obyasnit")


@pytest.mark.slow
def test_citing_unnamed_sources_is_a_cited_source_and_anonymous():
    doc = _read("Abbas Gallyamov said that Putin already has an escape plan, citing unnamed sources.", publisher="Business Insider")
    assert ["Business Insider", "Abbas Gallyamov", "unnamed sources"] in doc.provenance.chains
    cited = next(e for e in doc.entities if e.name == "unnamed sources")
    assert cited.type == "anonymous"


@pytest.mark.slow
def test_anonymous_sourcing_is_flagged_on_the_attribution():
    doc = _read("People familiar with the matter said the deal would close on Friday.")
    assert doc.attributions and all(a.anonymous for a in doc.attributions)
    doc = _read("Senator John Smith said the deal would close on Friday.")
    assert doc.attributions and not any(a.anonymous for a in doc.attributions)


@pytest.mark.slow
@pytest.mark.parametrize(
    "sentence,who",
    [
        ("A spokesperson for the Kremlin did not immediately respond to a request for comment.", "Kremlin"),
        ("The White House declined to comment.", "White House"),
        ("Representatives for Acme Corp. could not be reached for comment.", "Acme Corp."),
        ("Smith's lawyer did not return a request for comment.", None),
    ],
)
def test_non_responses_are_recorded_not_attributed(sentence, who):
    doc = _read("Officials said on Monday that taxes will rise. " + sentence)
    assert len(doc.non_responses) == 1
    silent = doc.non_responses[0]
    assert silent.cue.text and sentence.startswith(silent.mention.text)
    if who is not None:
        assert silent.entity is not None and silent.entity.name == who
    sentence_start = doc.text.index(sentence)
    assert all(c.start < sentence_start for a in doc.attributions for c in a.cue)
