-- Revenue, dividends and payouts (0032_music_revenue.sql; docs/music-revenue.md). Every query
-- names the tenant (%(org)s) itself; row-level security stays the guard behind it.

-- -- revenue ----------------------------------------------------------------------------------------

-- name: masters_known
SELECT id FROM music_masters WHERE organization_id = %(org)s AND id = ANY(%(ids)s::uuid[])

-- name: insert_events
-- One statement for a whole statement file; a line recorded before is skipped here and compared
-- by the caller (same_events).
INSERT INTO music_revenue_events (organization_id, master_id, source, external_id, period_start, period_end,
                                  amount, currency, received_at, created_by)
SELECT %(org)s, r.master_id, r.source, r.external_id, r.period_start, r.period_end, r.amount, r.currency,
       coalesce(r.received_at, now()), %(user)s
  FROM unnest(%(masters)s::uuid[], %(sources)s::text[], %(external_ids)s::text[], %(starts)s::date[],
              %(ends)s::date[], %(amounts)s::numeric[], %(currencies)s::text[], %(received)s::timestamptz[])
       AS r (master_id, source, external_id, period_start, period_end, amount, currency, received_at)
ON CONFLICT (organization_id, source, external_id) DO NOTHING
RETURNING source, external_id

-- name: existing_events
SELECT source, external_id, master_id, period_start, period_end, amount, currency
  FROM music_revenue_events
 WHERE organization_id = %(org)s
   AND (source, external_id) IN (SELECT * FROM unnest(%(sources)s::text[], %(external_ids)s::text[]))

-- name: event_columns
SELECT id, master_id, source, external_id, period_start, period_end, amount, currency, received_at, created_at
  FROM music_revenue_events

-- name: revenue_summary
-- A master's (or every master's) revenue per currency and bucket of period_start.
SELECT master_id, currency, date_trunc(%(bucket)s, period_start)::date AS bucket_start,
       sum(amount) AS amount, count(*)::int AS events
  FROM music_revenue_events
 WHERE organization_id = %(org)s
   AND (%(master)s::uuid IS NULL OR master_id = %(master)s)
   AND (%(since)s::date IS NULL OR period_start >= %(since)s)
   AND (%(until)s::date IS NULL OR period_start < %(until)s)
 GROUP BY master_id, currency, bucket_start
 ORDER BY master_id, currency, bucket_start

-- -- dividends --------------------------------------------------------------------------------------

-- name: distribute
SELECT dividend_id, created
  FROM music_distribute_dividend(%(master)s, %(period_start)s, %(period_end)s, %(currency)s,
                                 %(record_at)s, %(record_chain_id)s, %(record_block)s)

-- name: dividend_columns
-- (a *_columns block ends at its FROM, no comment after it: callers append WHERE)
SELECT id, master_id, asset_id, period_start, period_end, currency, record_at, record_chain_id, record_block,
       revenue, investors_bps, contract_id, distributable, remainder, holders, total_holding, status, paid_at,
       created_by, created_at
  FROM music_dividends

-- name: payout_columns
SELECT dividend_id, account_id, currency, holding, amount, status, paid_at, failed_at, external_ref,
       failure_reason, updated_at
  FROM music_payouts

-- name: lock_payout
SELECT status, amount, currency FROM music_payouts
 WHERE organization_id = %(org)s AND dividend_id = %(dividend)s AND account_id = %(account)s
   FOR NO KEY UPDATE

-- name: mark_payout
UPDATE music_payouts
   SET status = %(status)s,
       paid_at = CASE WHEN %(status)s = 'paid' THEN now() END,
       failed_at = CASE WHEN %(status)s = 'failed' THEN now() END,
       external_ref = coalesce(%(external_ref)s, external_ref),
       failure_reason = CASE WHEN %(status)s = 'failed' THEN %(failure_reason)s END
 WHERE organization_id = %(org)s AND dividend_id = %(dividend)s AND account_id = %(account)s

-- name: pay_all
-- Every pending payout of a dividend paid at once (one statement: the dividend's status once).
WITH paid AS (
    UPDATE music_payouts
       SET status = 'paid', paid_at = now(), failed_at = NULL, external_ref = coalesce(%(external_ref)s, external_ref)
     WHERE organization_id = %(org)s AND dividend_id = %(dividend)s AND status = 'pending'
    RETURNING amount
)
SELECT count(*)::int AS paid, coalesce(sum(amount), 0) AS amount FROM paid

-- name: unpaid_balances
-- Σ pending payouts per holder and currency (music_payouts_account_idx: index-only per holder).
SELECT account_id, currency, sum(amount) AS amount, count(*)::int AS payouts
  FROM music_payouts
 WHERE organization_id = %(org)s AND status = 'pending'
   AND (%(account)s::uuid IS NULL OR account_id = %(account)s)
 GROUP BY account_id, currency
 ORDER BY account_id, currency
