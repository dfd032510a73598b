"""Output formats: JSON (for programs), a terminal table (for people), brat standoff (for annotators)."""

from onrecord.render.brat import to_brat
from onrecord.render.chains import CHAIN_FORMATS, to_chain_text, to_dot, to_mermaid
from onrecord.render.json import check_offsets, load_schema, to_json, to_jsonl, validate
from onrecord.render.table import to_table

__all__ = [
    "CHAIN_FORMATS",
    "to_chain_text",
    "to_dot",
    "to_mermaid",
    "to_brat", "to_json", "to_jsonl", "to_table", "load_schema", "validate", "check_offsets"]
