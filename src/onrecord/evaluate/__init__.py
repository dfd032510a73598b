"""Evaluation against PolNeAR: read brat standoff, count matches, report P/R/F1.

``evaluate_polnear(root, "dev", predict)`` is the entry point; the pieces it
is made of (the brat reader and the per-document scorer) are exported too,
for tuning and for scoring other brat-annotated text.
"""

from onrecord.evaluate.brat import read_ann, read_ann_file, read_discards
from onrecord.evaluate.metrics import Counts, Tally, score_document
from onrecord.evaluate.polnear import DocumentScore, Report, evaluate_polnear, format_report

__all__ = [
    "read_ann",
    "read_ann_file",
    "read_discards",
    "Counts",
    "Tally",
    "score_document",
    "evaluate_polnear",
    "format_report",
    "Report",
    "DocumentScore",
]
