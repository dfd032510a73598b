"""The corpus ledger: store many extracted articles and query them (``onrecord ingest``, ``search``...).

SQLite by default (a file in the user data folder, or ``$ONRECORD_DB``);
any SQLAlchemy URL otherwise. The schema is created and migrated by Alembic
when :meth:`Ledger.open` runs.
"""

from onrecord.store.ledger import (
    EXPORT_FORMATS,
    Ledger,
    OutletStats,
    Quote,
    SpeakerChange,
    SpeakerInfo,
    SpeakerStats,
    StoreError,
    content_hash,
    database_url,
    parse_date,
    speaker_key,
)

__all__ = [
    "EXPORT_FORMATS",
    "Ledger",
    "OutletStats",
    "Quote",
    "SpeakerChange",
    "SpeakerInfo",
    "SpeakerStats",
    "StoreError",
    "content_hash",
    "database_url",
    "parse_date",
    "speaker_key",
]
