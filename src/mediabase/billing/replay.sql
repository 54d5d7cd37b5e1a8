-- The replay of provider events (mediabase.billing.replay; docs/billing.md, "Replay").
--
-- One transaction, as the owner: the events' rows are COPYed into the billing_stg_* temp tables,
-- routed to their organizations, recorded once (billing_provider_events), and each provider object
-- touched by a NEW event takes the snapshot of its newest event by (created, event id) when that is
-- newer than the one it holds. Every step is one set-based statement; a *_problems query returns the
-- first bad line (line, field, problem, kind) and the caller stops there (nothing is committed).
-- Event ids compare in the "C" collation (byte order), whatever the database's.

-- name: create_staging
CREATE TEMP TABLE billing_stg_envelope (
    line integer, event_id text COLLATE "C", type text, created bigint, object_id text, customer text, charge text,
    organization_id uuid
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_payloads (line integer PRIMARY KEY, doc text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_events (
    line integer, event_id text COLLATE "C", type text, created bigint, livemode boolean, api_version text,
    object_type text, object_id text, customer text, charge text, organization_id uuid
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_customers (
    line integer, event_id text COLLATE "C", created bigint, customer text, organization_id uuid, user_id uuid
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_subscriptions (
    line integer, event_id text COLLATE "C", created bigint, subscription text, customer text, price_lookup text,
    price_ref text, price_currency text, quantity integer, status text, period_start bigint, period_end bigint,
    cancel_at_period_end boolean, trial_start bigint, trial_end bigint, canceled_at bigint, ended_at bigint,
    start_date bigint
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_invoices (
    line integer, event_id text COLLATE "C", created bigint, invoice text, customer text, subscription text,
    number text, status text, currency text, total bigint, amount_due bigint, amount_paid bigint,
    period_start bigint, period_end bigint, invoice_created bigint, paid_at bigint
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_lines (
    line integer, event_id text COLLATE "C", invoice text, line_id text, position integer, amount bigint,
    currency text, quantity bigint, description text, price_lookup text, price_ref text, period_start bigint,
    period_end bigint, proration boolean
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_charges (
    line integer, event_id text COLLATE "C", created bigint, charge text, customer text, payment_intent text,
    invoice text, amount bigint, currency text, status text, failure_code text, charge_created bigint
) ON COMMIT DROP;
CREATE TEMP TABLE billing_stg_refunds (
    line integer, event_id text COLLATE "C", created bigint, refund text, charge text, amount bigint,
    currency text, status text, reason text, refund_created bigint
) ON COMMIT DROP;
CREATE TEMP TABLE billing_new_events (event_id text COLLATE "C" PRIMARY KEY, organization_id uuid NOT NULL) ON COMMIT DROP

-- name: analyze_staging
ANALYZE billing_stg_events, billing_stg_customers, billing_stg_subscriptions, billing_stg_invoices,
        billing_stg_lines, billing_stg_charges, billing_stg_refunds

-- -- what is new: every line's envelope (event id, type, time, object, what routes it) ----------------

-- name: analyze_envelope
ANALYZE billing_stg_envelope

-- name: analyze_routed
ANALYZE billing_stg_events, billing_stg_payloads

-- name: route_envelope
UPDATE billing_stg_envelope e SET organization_id = k.organization_id
  FROM billing_customers k
 WHERE k.provider = %(provider)s AND k.provider_customer_id = e.customer

-- name: route_envelope_by_charge
UPDATE billing_stg_envelope e SET organization_id = p.organization_id
  FROM billing_payments p
 WHERE e.organization_id IS NULL AND e.customer IS NULL AND p.provider = %(provider)s AND p.provider_charge_id = e.charge

-- name: recorded_problems
-- an event recorded before comes again as the same event
SELECT e.line, 'id' AS field,
       format('event %%s was recorded before with another type, time or object', e.event_id) AS problem,
       'conflict' AS kind
  FROM billing_stg_envelope e
  JOIN billing_provider_events p ON p.organization_id = e.organization_id AND p.provider = %(provider)s
                                AND p.provider_event_id = e.event_id
 WHERE (p.type, extract(epoch FROM p.created), p.object_id) IS DISTINCT FROM (e.type, e.created, e.object_id)
 ORDER BY e.line LIMIT 1

-- name: candidates
-- the lines to read in full: every one whose event is not recorded yet
SELECT e.line FROM billing_stg_envelope e
 WHERE NOT EXISTS (SELECT FROM billing_provider_events p
                    WHERE p.organization_id = e.organization_id AND p.provider = %(provider)s
                      AND p.provider_event_id = e.event_id)
 ORDER BY e.line

-- -- customers and routing ----------------------------------------------------------------------------

-- name: customer_problems
-- A customer event maps its customer to an organization that exists (and a user who is a member of
-- it); a customer keeps the mapping it has; one customer per subscriber and provider.
SELECT * FROM (
    SELECT c.line, 'data.object.metadata.organization_id' AS field,
           format('no organization %%s', c.organization_id) AS problem, 'invalid' AS kind
      FROM billing_stg_customers c
     WHERE NOT EXISTS (SELECT FROM organizations o WHERE o.id = c.organization_id)
    UNION ALL
    SELECT c.line, 'data.object.metadata.user_id',
           format('user %%s is not a member of organization %%s', c.user_id, c.organization_id), 'invalid'
      FROM billing_stg_customers c
     WHERE c.user_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM memberships m WHERE m.organization_id = c.organization_id AND m.user_id = c.user_id)
    UNION ALL
    SELECT c.line, 'data.object.metadata.organization_id',
           format('customer %%s stands for another organization or user already', c.customer), 'conflict'
      FROM billing_stg_customers c
      JOIN billing_customers k ON k.provider = %(provider)s AND k.provider_customer_id = c.customer
     WHERE (k.organization_id, k.user_id) IS DISTINCT FROM (c.organization_id, c.user_id)
    UNION ALL
    SELECT b.line, 'data.object.metadata.organization_id',
           format('customer %%s stands for another organization or user at line %%s', b.customer, a.line), 'invalid'
      FROM billing_stg_customers a
      JOIN billing_stg_customers b ON b.customer = a.customer AND b.line > a.line
     WHERE (a.organization_id, a.user_id) IS DISTINCT FROM (b.organization_id, b.user_id)
    UNION ALL
    SELECT c.line, 'data.object.metadata',
           format('this subscriber has the customer %%s already (one customer per subscriber)', k.provider_customer_id),
           'conflict'
      FROM billing_stg_customers c
      JOIN billing_customers k ON k.provider = %(provider)s AND k.organization_id = c.organization_id
                              AND k.user_id IS NOT DISTINCT FROM c.user_id
     WHERE k.provider_customer_id <> c.customer
) p ORDER BY line LIMIT 1

-- name: insert_customers
INSERT INTO billing_customers (provider, provider_customer_id, organization_id, user_id)
SELECT DISTINCT ON (c.customer) %(provider)s, c.customer, c.organization_id, c.user_id
  FROM billing_stg_customers c
 ORDER BY c.customer, c.line
    ON CONFLICT ON CONSTRAINT billing_customers_provider_key DO NOTHING

-- name: route_by_customer
UPDATE billing_stg_events e SET organization_id = k.organization_id
  FROM billing_customers k
 WHERE e.customer IS NOT NULL AND k.provider = %(provider)s AND k.provider_customer_id = e.customer

-- name: route_by_batch_charge
-- a refund event names its charge: the charge of this batch …
UPDATE billing_stg_events e SET organization_id = r.organization_id
  FROM (SELECT DISTINCT ON (c.charge) c.charge, k.organization_id
          FROM billing_stg_charges c
          JOIN billing_customers k ON k.provider = %(provider)s AND k.provider_customer_id = c.customer
         ORDER BY c.charge, c.line) r
 WHERE e.customer IS NULL AND e.charge = r.charge

-- name: route_by_stored_charge
-- … else a stored payment
UPDATE billing_stg_events e SET organization_id = p.organization_id
  FROM billing_payments p
 WHERE e.organization_id IS NULL AND e.customer IS NULL AND p.provider = %(provider)s AND p.provider_charge_id = e.charge

-- name: route_problems
SELECT * FROM (
    SELECT e.line, CASE WHEN e.customer IS NOT NULL THEN 'data.object.customer' ELSE 'data.object.charge' END AS field,
           CASE WHEN e.customer IS NOT NULL
                THEN format('unknown customer %%s: a customer event with metadata.organization_id maps it '
                            '(or a subscription made through mediabase)', e.customer)
                ELSE format('unknown charge %%s', e.charge) END AS problem, 'invalid' AS kind
      FROM billing_stg_events e
     WHERE e.organization_id IS NULL AND (e.customer IS NOT NULL OR e.charge IS NOT NULL)
    UNION ALL
    SELECT b.line, 'id', format('event %%s appears at line %%s with another type, time or object', b.event_id, a.line),
           'invalid'
      FROM billing_stg_events a
      JOIN billing_stg_events b ON b.event_id = a.event_id AND b.line > a.line
     WHERE (a.type, a.created, a.object_id) IS DISTINCT FROM (b.type, b.created, b.object_id)

) p ORDER BY line LIMIT 1

-- name: record_events
-- Each event once: a copy in this batch, or an event recorded before, is not new. The copies go
-- before the bodies are joined (a hash join: the routed events are analyzed first).
WITH recorded AS (
    INSERT INTO billing_provider_events AS p (organization_id, provider, provider_event_id, type, created, object_type,
                                              object_id, livemode, api_version, payload, source)
    SELECT e.organization_id, %(provider)s, e.event_id, e.type, to_timestamp(e.created), e.object_type, e.object_id,
           e.livemode, e.api_version, r.doc::json, %(source)s
      FROM (SELECT DISTINCT ON (x.event_id) x.* FROM billing_stg_events x
             WHERE x.organization_id IS NOT NULL ORDER BY x.event_id, x.line) e
      JOIN billing_stg_payloads r ON r.line = e.line
        ON CONFLICT ON CONSTRAINT billing_provider_events_provider_key DO NOTHING
    RETURNING p.provider_event_id, p.organization_id
)
INSERT INTO billing_new_events (event_id, organization_id) SELECT provider_event_id, organization_id FROM recorded

-- -- subscriptions --------------------------------------------------------------------------------------

-- name: win_subscriptions
-- Per subscription, the newest snapshot among the new events, where it is newer than the stored one.
CREATE TEMP TABLE billing_win_subscriptions ON COMMIT DROP AS
SELECT w.*, cur.id, cur.status AS old_status, k.id AS customer_id, k.user_id AS subscriber_user_id,
       coalesce(p1.id, p2.id) AS price_id, coalesce(p1.plan_id, p2.plan_id) AS plan_id,
       coalesce(p1.currency, p2.currency) AS currency
  FROM (SELECT DISTINCT ON (n.organization_id, s.subscription) n.organization_id, s.*
          FROM billing_stg_subscriptions s JOIN billing_new_events n ON n.event_id = s.event_id
         ORDER BY n.organization_id, s.subscription, s.created DESC, s.event_id DESC) w
  JOIN billing_customers k ON k.provider = %(provider)s AND k.provider_customer_id = w.customer
  LEFT JOIN billing_prices p1 ON p1.code = w.price_lookup
  LEFT JOIN billing_prices p2 ON p2.provider_price_id = w.price_ref
  LEFT JOIN billing_subscriptions cur ON cur.organization_id = w.organization_id AND cur.provider = %(provider)s
                                     AND cur.provider_subscription_id = w.subscription
 WHERE cur.id IS NULL OR to_timestamp(w.created) > cur.source_event_created
    OR (to_timestamp(w.created) = cur.source_event_created AND w.event_id > cur.source_event_id)

-- name: subscription_problems
SELECT * FROM (
    SELECT s.line, 'data.object.items.data[0].price' AS field,
           format('unknown price %%s (lookup_key %%s): add it with ''mediabase billing prices add''',
                  s.price_ref, coalesce(s.price_lookup, 'none')) AS problem, 'invalid' AS kind
      FROM billing_stg_subscriptions s JOIN billing_new_events n ON n.event_id = s.event_id
     WHERE NOT EXISTS (SELECT FROM billing_prices p WHERE p.code = s.price_lookup)
       AND NOT EXISTS (SELECT FROM billing_prices p WHERE p.provider_price_id = s.price_ref)
    UNION ALL
    SELECT w.line, 'data.object.items.data[0].price.currency',
           format('the price is in %%s, not %%s', w.currency, w.price_currency), 'invalid'
      FROM billing_win_subscriptions w WHERE w.currency <> w.price_currency
    UNION ALL
    SELECT w.line, 'data.object.status', format('subscription %%s cannot go from %%s to %%s', w.subscription,
                                                w.old_status, w.status), 'conflict'
      FROM billing_win_subscriptions w WHERE NOT billing_subscription_step(w.old_status, w.status)
    UNION ALL
    -- at most one live subscription per subscriber once this batch is in
    SELECT max(f.line), 'data.object.status',
           format('subscription %%s would be a second live subscription of its subscriber '
                  '(cancel the other one first)', max(f.subscription)), 'conflict'
      FROM (SELECT w.organization_id, w.subscriber_user_id, w.line, w.subscription
              FROM billing_win_subscriptions w WHERE billing_live(w.status)
            UNION ALL
            SELECT s.organization_id, s.subscriber_user_id, NULL, NULL
              FROM billing_subscriptions s
             WHERE s.organization_id IN (SELECT w.organization_id FROM billing_win_subscriptions w)
               AND billing_live(s.status)
               AND NOT EXISTS (SELECT FROM billing_win_subscriptions w
                                WHERE w.organization_id = s.organization_id AND w.id = s.id)) f
     GROUP BY f.organization_id, f.subscriber_user_id HAVING count(*) > 1
) p WHERE line IS NOT NULL ORDER BY line LIMIT 1

-- name: upsert_subscriptions
-- Subscriptions that end go first, so a new live one of the same subscriber finds the way clear
-- (the partial unique indexes are checked row by row).
-- EVENTS (0035, later): emit_event(org, 'subscription.created' | 'subscription.updated' |
-- 'subscription.canceled', 'subscription', id, …) per row inserted / changed / become canceled.
INSERT INTO billing_subscriptions AS s (
    organization_id, provider, provider_subscription_id, customer_id, price_id, plan_id, currency, quantity, status,
    current_period_start, current_period_end, cancel_at_period_end, trial_start, trial_end, canceled_at, ended_at,
    started_at, source_event_created, source_event_id, updated_at)
SELECT w.organization_id, %(provider)s, w.subscription, w.customer_id, w.price_id, w.plan_id, w.currency, w.quantity,
       w.status, to_timestamp(w.period_start), to_timestamp(w.period_end), w.cancel_at_period_end,
       to_timestamp(w.trial_start), to_timestamp(w.trial_end), to_timestamp(w.canceled_at), to_timestamp(w.ended_at),
       to_timestamp(w.start_date), to_timestamp(w.created), w.event_id, now()
  FROM billing_win_subscriptions w
 ORDER BY billing_live(w.status), w.line
    ON CONFLICT ON CONSTRAINT billing_subscriptions_provider_key DO UPDATE
   SET price_id = excluded.price_id, plan_id = excluded.plan_id, currency = excluded.currency,
       quantity = excluded.quantity, status = excluded.status, current_period_start = excluded.current_period_start,
       current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end,
       trial_start = excluded.trial_start, trial_end = excluded.trial_end, canceled_at = excluded.canceled_at,
       ended_at = excluded.ended_at, started_at = excluded.started_at,
       source_event_created = excluded.source_event_created, source_event_id = excluded.source_event_id,
       updated_at = excluded.updated_at
 WHERE (s.source_event_created, s.source_event_id) < (excluded.source_event_created, excluded.source_event_id)

-- -- invoices and lines -------------------------------------------------------------------------------

-- name: win_invoices
CREATE TEMP TABLE billing_win_invoices ON COMMIT DROP AS
SELECT w.*, cur.id, cur.status AS old_status, k.id AS customer_id, sub.id AS subscription_id
  FROM (SELECT DISTINCT ON (n.organization_id, i.invoice) n.organization_id, i.*
          FROM billing_stg_invoices i JOIN billing_new_events n ON n.event_id = i.event_id
         ORDER BY n.organization_id, i.invoice, i.created DESC, i.event_id DESC) w
  JOIN billing_customers k ON k.provider = %(provider)s AND k.provider_customer_id = w.customer
  LEFT JOIN billing_subscriptions sub ON sub.organization_id = w.organization_id AND sub.provider = %(provider)s
                                     AND sub.provider_subscription_id = w.subscription
  LEFT JOIN billing_invoices cur ON cur.organization_id = w.organization_id AND cur.provider = %(provider)s
                                AND cur.provider_invoice_id = w.invoice
 WHERE cur.id IS NULL OR to_timestamp(w.created) > cur.source_event_created
    OR (to_timestamp(w.created) = cur.source_event_created AND w.event_id > cur.source_event_id)

-- name: invoice_problems
SELECT * FROM (
    SELECT w.line, 'data.object.subscription' AS field, format('unknown subscription %%s', w.subscription) AS problem,
           'invalid' AS kind
      FROM billing_win_invoices w WHERE w.subscription IS NOT NULL AND w.subscription_id IS NULL
    UNION ALL
    SELECT w.line, 'data.object.status', format('invoice %%s cannot go from %%s to %%s', w.invoice, w.old_status, w.status),
           'conflict'
      FROM billing_win_invoices w WHERE NOT billing_invoice_step(w.old_status, w.status)
    UNION ALL
    SELECT w.line, 'data.object.currency', format('invoice %%s was recorded in %%s', w.invoice, i.currency), 'conflict'
      FROM billing_win_invoices w JOIN billing_invoices i ON i.organization_id = w.organization_id AND i.id = w.id
     WHERE i.currency <> w.currency
) p ORDER BY line LIMIT 1

-- name: upsert_invoices
-- EVENTS (0035, later): 'invoice.created' per row inserted; 'invoice.paid' | 'invoice.voided' |
-- 'invoice.uncollectible' | 'invoice.finalized' per row whose status became so.
-- The total is the snapshot's (the reader checked it is the sum of its lines; the deferred
-- billing_invoices_total_is_lines checks it again against the stored lines at commit).
INSERT INTO billing_invoices AS i (
    organization_id, provider, provider_invoice_id, customer_id, subscription_id, number, status, currency, total,
    amount_due, amount_paid, period_start, period_end, created, paid_at, source_event_created, source_event_id,
    updated_at)
SELECT w.organization_id, %(provider)s, w.invoice, w.customer_id, w.subscription_id, w.number, w.status, w.currency,
       w.total, w.amount_due, w.amount_paid, to_timestamp(w.period_start), to_timestamp(w.period_end),
       to_timestamp(w.invoice_created), to_timestamp(w.paid_at), to_timestamp(w.created), w.event_id, now()
  FROM billing_win_invoices w
    ON CONFLICT ON CONSTRAINT billing_invoices_provider_key DO UPDATE
   SET subscription_id = excluded.subscription_id, number = excluded.number, status = excluded.status,
       total = excluded.total,
       amount_due = excluded.amount_due, amount_paid = excluded.amount_paid, period_start = excluded.period_start,
       period_end = excluded.period_end, paid_at = excluded.paid_at,
       source_event_created = excluded.source_event_created, source_event_id = excluded.source_event_id,
       updated_at = excluded.updated_at
 WHERE (i.source_event_created, i.source_event_id) < (excluded.source_event_created, excluded.source_event_id)

-- name: delete_replaced_lines
-- an invoice's lines are those of its newest snapshot: the stored ones go, the snapshot's come (the
-- lines' trigger sets the total in between; the last statement leaves it the snapshot's)
DELETE FROM billing_invoice_lines l
 USING billing_win_invoices w
 WHERE w.id IS NOT NULL AND l.organization_id = w.organization_id AND l.invoice_id = w.id

-- name: insert_lines
-- (billing_invoice_lines_total then finds each invoice's total equal to its sum: nothing to write)
INSERT INTO billing_invoice_lines (organization_id, invoice_id, currency, provider_line_id, position, amount, quantity,
                                   description, price_id, period_start, period_end, proration)
SELECT i.organization_id, i.id, i.currency, l.line_id, l.position, l.amount, l.quantity, l.description,
       coalesce(p1.id, p2.id), to_timestamp(l.period_start), to_timestamp(l.period_end), l.proration
  FROM billing_win_invoices w
  JOIN billing_invoices i ON i.organization_id = w.organization_id AND i.provider = %(provider)s
                         AND i.provider_invoice_id = w.invoice
  JOIN billing_stg_lines l ON l.event_id = w.event_id AND l.invoice = w.invoice
  LEFT JOIN billing_prices p1 ON p1.code = l.price_lookup
  LEFT JOIN billing_prices p2 ON p2.provider_price_id = l.price_ref
 ORDER BY i.organization_id, i.id, l.position

-- -- payments (charges) -----------------------------------------------------------------------------

-- name: win_charges
CREATE TEMP TABLE billing_win_charges ON COMMIT DROP AS
SELECT w.*, cur.id, cur.status AS old_status, cur.amount AS old_amount, cur.currency AS old_currency,
       k.id AS customer_id, inv.id AS invoice_id, inv.currency AS invoice_currency
  FROM (SELECT DISTINCT ON (n.organization_id, c.charge) n.organization_id, c.*
          FROM billing_stg_charges c JOIN billing_new_events n ON n.event_id = c.event_id
         ORDER BY n.organization_id, c.charge, c.created DESC, c.event_id DESC) w
  JOIN billing_customers k ON k.provider = %(provider)s AND k.provider_customer_id = w.customer
  LEFT JOIN billing_invoices inv ON inv.organization_id = w.organization_id AND inv.provider = %(provider)s
                                AND inv.provider_invoice_id = w.invoice
  LEFT JOIN billing_payments cur ON cur.organization_id = w.organization_id AND cur.provider = %(provider)s
                                AND cur.provider_charge_id = w.charge
 WHERE cur.id IS NULL OR to_timestamp(w.created) > cur.source_event_created
    OR (to_timestamp(w.created) = cur.source_event_created AND w.event_id > cur.source_event_id)

-- name: charge_problems
SELECT * FROM (
    SELECT w.line, 'data.object.invoice' AS field, format('unknown invoice %%s', w.invoice) AS problem,
           'invalid' AS kind
      FROM billing_win_charges w WHERE w.invoice IS NOT NULL AND w.invoice_id IS NULL
    UNION ALL
    SELECT w.line, 'data.object.currency', format('the invoice %%s is in %%s', w.invoice, w.invoice_currency), 'invalid'
      FROM billing_win_charges w WHERE w.invoice_currency <> w.currency
    UNION ALL
    SELECT w.line, 'data.object.amount', format('charge %%s was recorded as %%s %%s', w.charge, w.old_amount,
                                                w.old_currency), 'conflict'
      FROM billing_win_charges w WHERE (w.old_amount, w.old_currency) <> (w.amount, w.currency)
    UNION ALL
    SELECT w.line, 'data.object.status', format('charge %%s cannot go from %%s to %%s', w.charge, w.old_status, w.status),
           'conflict'
      FROM billing_win_charges w WHERE NOT billing_payment_step(w.old_status, w.status)
) p ORDER BY line LIMIT 1

-- name: upsert_payments
-- EVENTS (0035, later): 'payment.succeeded' | 'payment.failed' per row whose status became so.
INSERT INTO billing_payments AS p (
    organization_id, provider, provider_charge_id, provider_payment_intent_id, customer_id, invoice_id, currency,
    amount, status, failure_code, created, source_event_created, source_event_id, updated_at)
SELECT w.organization_id, %(provider)s, w.charge, w.payment_intent, w.customer_id, w.invoice_id, w.currency, w.amount,
       w.status, w.failure_code, to_timestamp(w.charge_created), to_timestamp(w.created), w.event_id, now()
  FROM billing_win_charges w
    ON CONFLICT ON CONSTRAINT billing_payments_provider_key DO UPDATE
   SET provider_payment_intent_id = excluded.provider_payment_intent_id, invoice_id = excluded.invoice_id,
       status = excluded.status, failure_code = excluded.failure_code,
       source_event_created = excluded.source_event_created, source_event_id = excluded.source_event_id,
       updated_at = excluded.updated_at
 WHERE (p.source_event_created, p.source_event_id) < (excluded.source_event_created, excluded.source_event_id)

-- -- refunds ----------------------------------------------------------------------------------------

-- name: win_refunds
CREATE TEMP TABLE billing_win_refunds ON COMMIT DROP AS
SELECT w.*, cur.id, cur.status AS old_status, pay.id AS payment_id, pay.currency AS payment_currency,
       pay.amount AS payment_amount
  FROM (SELECT DISTINCT ON (n.organization_id, r.refund) n.organization_id, r.*
          FROM billing_stg_refunds r JOIN billing_new_events n ON n.event_id = r.event_id
         ORDER BY n.organization_id, r.refund, r.created DESC, r.event_id DESC) w
  LEFT JOIN billing_payments pay ON pay.organization_id = w.organization_id AND pay.provider = %(provider)s
                                AND pay.provider_charge_id = w.charge
  LEFT JOIN billing_refunds cur ON cur.organization_id = w.organization_id AND cur.provider = %(provider)s
                               AND cur.provider_refund_id = w.refund
 WHERE cur.id IS NULL OR to_timestamp(w.created) > cur.source_event_created
    OR (to_timestamp(w.created) = cur.source_event_created AND w.event_id > cur.source_event_id)

-- name: refund_problems
SELECT * FROM (
    SELECT w.line, 'data.object.charge' AS field, format('unknown charge %%s', w.charge) AS problem, 'invalid' AS kind
      FROM billing_win_refunds w WHERE w.payment_id IS NULL
    UNION ALL
    SELECT w.line, 'data.object.currency', format('the charge %%s is in %%s', w.charge, w.payment_currency), 'invalid'
      FROM billing_win_refunds w WHERE w.payment_currency <> w.currency
    UNION ALL
    SELECT w.line, 'data.object.status', format('refund %%s cannot go from %%s to %%s', w.refund, w.old_status, w.status),
           'conflict'
      FROM billing_win_refunds w WHERE NOT billing_refund_step(w.old_status, w.status)
    UNION ALL
    -- Σ refunds that count <= the payment, once this batch is in
    SELECT max(f.line), 'data.object.amount',
           format('the refunds of charge %%s would add up to %%s, more than its %%s', max(f.charge), sum(f.amount),
                  max(f.payment_amount)), 'conflict'
      FROM (SELECT w.organization_id, w.payment_id, w.amount, w.status, w.line, w.charge, w.payment_amount
              FROM billing_win_refunds w WHERE w.payment_id IS NOT NULL
            UNION ALL
            SELECT r.organization_id, r.payment_id, r.amount, r.status, NULL, NULL, NULL
              FROM billing_refunds r
             WHERE (r.organization_id, r.payment_id) IN (SELECT w.organization_id, w.payment_id FROM billing_win_refunds w)
               AND NOT EXISTS (SELECT FROM billing_win_refunds w
                                WHERE w.organization_id = r.organization_id AND w.id = r.id)) f
     WHERE billing_refund_counts(f.status)
     GROUP BY f.organization_id, f.payment_id HAVING sum(f.amount) > max(f.payment_amount)
) p WHERE line IS NOT NULL ORDER BY line LIMIT 1

-- name: upsert_refunds
-- (billing_refunds_sum then sets each payment's amount_refunded)
-- EVENTS (0035, later): 'refund.created' per row inserted, 'refund.updated' per status change.
INSERT INTO billing_refunds AS r (
    organization_id, provider, provider_refund_id, payment_id, currency, amount, status, reason, created,
    source_event_created, source_event_id, updated_at)
SELECT w.organization_id, %(provider)s, w.refund, w.payment_id, w.currency, w.amount, w.status, w.reason,
       to_timestamp(w.refund_created), to_timestamp(w.created), w.event_id, now()
  FROM billing_win_refunds w
    ON CONFLICT ON CONSTRAINT billing_refunds_provider_key DO UPDATE
   SET amount = excluded.amount, status = excluded.status, reason = excluded.reason,
       source_event_created = excluded.source_event_created, source_event_id = excluded.source_event_id,
       updated_at = excluded.updated_at
 WHERE (r.source_event_created, r.source_event_id) < (excluded.source_event_created, excluded.source_event_id)

-- name: counts
SELECT (SELECT count(*) FROM billing_stg_events) AS events,
       (SELECT count(*) FROM billing_new_events) AS recorded,
       (SELECT count(*) FROM billing_win_subscriptions) AS subscriptions,
       (SELECT count(*) FROM billing_win_invoices) AS invoices,
       (SELECT count(*) FROM billing_win_charges) AS payments,
       (SELECT count(*) FROM billing_win_refunds) AS refunds
