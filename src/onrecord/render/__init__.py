"""Output formats: JSON (for programs) and a terminal table (for people)."""

from onrecord.render.json import check_offsets, load_schema, to_json, to_jsonl, validate
from onrecord.render.table import to_table

__all__ = ["to_json", "to_jsonl", "to_table", "load_schema", "validate", "check_offsets"]
