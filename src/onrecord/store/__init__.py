"""The corpus ledger: store many extracted articles and query them (``onrecord ingest``, ``search``...).

SQLite by default (a file in the user data folder, or ``$ONRECORD_DB``);
any SQLAlchemy URL otherwise. The schema is created and migrated by Alembic
when :meth:`Ledger.open` runs.
"""

from onrecord.store.evidence import Evidence
from onrecord.store.trail import Change
from onrecord.store.ledger import (
    CALIBRATION_BANDS,
    EXPORT_FORMATS,
    CalibrationBand,
    Ledger,
    OutletStats,
    Quote,
    SpeakerChange,
    SpeakerInfo,
    SpeakerStats,
    Stored,
    StoredForecast,
    StoreError,
    TrackRecord,
    Trail,
    TrailEntry,
    content_hash,
    database_url,
    forecast_key,
    parse_date,
    speaker_key,
    url_key,
)

__all__ = [
    "CALIBRATION_BANDS",
    "EXPORT_FORMATS",
    "CalibrationBand",
    "Change",
    "Evidence",
    "Ledger",
    "OutletStats",
    "Quote",
    "SpeakerChange",
    "SpeakerInfo",
    "SpeakerStats",
    "Stored",
    "StoredForecast",
    "StoreError",
    "TrackRecord",
    "Trail",
    "TrailEntry",
    "content_hash",
    "database_url",
    "forecast_key",
    "parse_date",
    "speaker_key",
    "url_key",
]
