"""Forecasts: claims about the future, whose they are, how sure, and by when.

Read after speakers and provenance, so that each forecast carries the speaker of the
attribution that holds it. :func:`find_forecasts` reads a parsed article;
:func:`due_date` turns a time expression into the day a forecast falls due; the
estimative scale (``data/forecast_estimative.tsv``) says what "likely" is worth. What
became of a forecast is not in the article: the ledger records it later and scores each
speaker's track record from it.
"""

from onrecord.forecast.detect import estimative_probability, find_forecasts
from onrecord.forecast.horizon import due_date, points_forward

__all__ = ["find_forecasts", "estimative_probability", "due_date", "points_forward"]
