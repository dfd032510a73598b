"""Speaker resolution and source typing within one article.

The extractor finds *that* someone said something; this package says *who*:
it links each source mention ("he", "the former speechwriter") to the
article's entities and types each one (person, media outlet, anonymous...).
"""

from onrecord.resolve.speakers import resolve_speakers
from onrecord.resolve.types import is_anonymous, source_type

__all__ = ["resolve_speakers", "source_type", "is_anonymous"]
