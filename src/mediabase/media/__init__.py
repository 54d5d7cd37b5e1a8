"""Channels, series, collections, videos, tags, watch progress, people and speakers."""
