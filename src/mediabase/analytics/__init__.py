"""Viewing analytics (docs/analytics.md): raw view and watch events, rollups built from them by jobs."""
