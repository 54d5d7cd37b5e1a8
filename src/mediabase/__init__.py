"""mediabase: the PostgreSQL source of truth for video, audio and story platforms."""

__version__ = "0.1.0"
