"""onrecord's word lists and tables, and the one reader every stage uses for them."""

from importlib import resources

__all__ = ["read_lines"]


def read_lines(name: str, *, inline_comments: bool = True) -> list[str]:
    """Entries of ``onrecord/data/<name>``: blank lines and ``#`` comments dropped.

    With ``inline_comments`` a ``#`` anywhere starts a comment and entries are
    right-stripped; without, only whole-line comments go and entries keep their
    characters exactly (tables whose cells may end in whitespace need that).
    """
    raw = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    if not inline_comments:
        return [line for line in raw.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    entries = (line.split("#", 1)[0].rstrip() for line in raw.splitlines())
    return [entry for entry in entries if entry.strip()]
