"""Billing: plans, prices, subscriptions, invoices, payments, refunds, usage and entitlements (docs/billing.md)."""
