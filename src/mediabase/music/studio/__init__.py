"""music.studio (docs/music.md)."""
