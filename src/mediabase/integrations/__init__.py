"""Integrations with external services (seed 001's integrations.ts): accounts with their secrets
sealed at rest, incoming webhooks stored once and processed by the worker, the external-item map,
and Zoom as the reference provider (recordings and transcripts into videos). See
docs/integrations.md.
"""
