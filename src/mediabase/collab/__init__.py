"""Collaboration: comments, moments, clips, highlight reels, quote cards, share links,
notifications, the activity feed and the audit log (docs/collab.md)."""
