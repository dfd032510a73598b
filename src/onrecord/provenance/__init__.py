"""Provenance: who relays whom, from the publisher out, and who declined to speak.

A claim reaches the reader through a chain: the publisher reports what an
outlet reported (``The Guardian reported``), what a speaker told an outlet
(``told Reuters``), wrote in a venue (``in a column for Mozhem Obyasnit``),
or said relying on others (``citing unnamed sources``). This package reads
those links off the parse around each attribution and builds:

* a graph (:class:`~onrecord.model.Provenance`): nodes are the article's
  entities, edges say who passed words to whom, with the attribution ids;
* chains: for each attribution the path publisher -> intermediaries ->
  speaker -> cited sources. Only chains with at least one step between or
  beyond the publisher and the speaker are listed, and a chain contained in
  a longer one is dropped (the graph keeps every edge);
* non-responses (``did not respond to a request for comment``), which are
  a fact about the entity, not an attribution.
"""

from onrecord.provenance.chains import build_provenance
from onrecord.provenance.non_response import find_non_responses
from onrecord.provenance.publisher import detect_publisher

__all__ = ["build_provenance", "find_non_responses", "detect_publisher"]
