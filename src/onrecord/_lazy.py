"""Package attributes imported on first use (PEP 562), so that importing one light module of a
package (``onrecord.extraction.tagging``, ``onrecord.ingest.normalise``) does not import the heavy
ones beside it (spaCy, trafilatura, feedparser): training the ``accurate`` tagger needs none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``where[name]`` (a submodule) on first use."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{where[name]}"), name)

    return __getattr__
