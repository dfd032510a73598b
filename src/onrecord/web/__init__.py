"""``onrecord serve``: the web app (server-rendered pages) and the REST API over a ledger.

:func:`create_app` builds the FastAPI application; everything else here is
internal. Pages are Jinja2 templates with autoescaping on, and every piece of
article text reaches them either as a plain string (escaped by Jinja2) or as
markup built by :mod:`onrecord.web.highlight` and :mod:`onrecord.web.svg`,
which escape each text piece themselves: no template marks article text safe.
"""

from onrecord.web.app import create_app

__all__ = ["create_app"]
