-- Billing's reads and the few writes outside the replay (mediabase.billing; docs/billing.md).


-- name: insert_feature
INSERT INTO billing_features (code, unit, description) VALUES (%(code)s, %(unit)s, %(description)s)
RETURNING code, unit, description

-- name: list_features
SELECT code, unit, description FROM billing_features ORDER BY code

-- name: insert_plan
INSERT INTO billing_plans (code, name, description) VALUES (%(code)s, %(name)s, %(description)s) RETURNING id

-- name: list_plans
SELECT id, code, name, description, active, created_at FROM billing_plans
 WHERE (%(all)s OR active) AND (%(code)s::text IS NULL OR code = %(code)s)
 ORDER BY code

-- name: plan_prices
SELECT p.id, p.code, pl.code AS plan_code, p.currency, p.unit_amount, p.interval, p.provider_price_id, p.active
  FROM billing_prices p JOIN billing_plans pl ON pl.id = p.plan_id
 WHERE p.plan_id = ANY (%(plans)s) AND (%(all)s OR p.active)
 ORDER BY pl.code, p.currency, p.interval, p.code

-- name: plan_limits
SELECT pf.plan_id, pf.feature, pf.limit_value AS limit, pf.per_unit
  FROM billing_plan_features pf WHERE pf.plan_id = ANY (%(plans)s) ORDER BY pf.feature

-- name: plan_by_code
SELECT id FROM billing_plans WHERE code = %(code)s

-- name: set_plan_active
UPDATE billing_plans SET active = %(active)s WHERE code = %(code)s RETURNING id

-- name: insert_price
INSERT INTO billing_prices (plan_id, code, provider_price_id, currency, unit_amount, interval)
VALUES (%(plan_id)s, %(code)s, %(provider_price_id)s, %(currency)s, %(unit_amount)s, %(interval)s)
RETURNING id

-- name: price_columns
SELECT p.id, p.code, pl.code AS plan_code, p.currency, p.unit_amount, p.interval, p.provider_price_id, p.active
  FROM billing_prices p JOIN billing_plans pl ON pl.id = p.plan_id

-- name: set_price_active
UPDATE billing_prices SET active = %(active)s WHERE code = %(code)s RETURNING id

-- name: upsert_limit
INSERT INTO billing_plan_features AS f (plan_id, feature, limit_value, per_unit)
VALUES (%(plan_id)s, %(feature)s, %(limit)s, %(per_unit)s)
    ON CONFLICT (plan_id, feature) DO UPDATE SET limit_value = excluded.limit_value, per_unit = excluded.per_unit

-- name: delete_limit
DELETE FROM billing_plan_features WHERE plan_id = %(plan_id)s AND feature = %(feature)s RETURNING feature

-- name: price_for_subscribing
SELECT p.id, p.code, p.currency, p.unit_amount, p.interval, p.active, pl.active AS plan_active
  FROM billing_prices p JOIN billing_plans pl ON pl.id = p.plan_id WHERE p.code = %(code)s


-- name: subscription_columns
SELECT s.id, s.provider, s.provider_subscription_id, s.subscriber_organization_id, s.subscriber_user_id,
       pl.code AS plan_code, p.code AS price_code, s.currency, p.unit_amount, s.quantity, s.status,
       s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.trial_start, s.trial_end,
       s.canceled_at, s.ended_at, s.started_at, s.created_at, s.updated_at
  FROM billing_subscriptions s
  JOIN billing_prices p ON p.id = s.price_id
  JOIN billing_plans pl ON pl.id = s.plan_id

-- name: subscription_state
-- what the offline provider needs to write the subscription's next snapshot (the owner's read)
SELECT s.id, s.organization_id, s.provider, s.provider_subscription_id, k.provider_customer_id AS customer,
       s.subscriber_user_id, s.status, p.code AS price_code, p.unit_amount, p.currency, p.interval, s.quantity,
       extract(epoch FROM s.current_period_start)::bigint AS period_start,
       extract(epoch FROM s.current_period_end)::bigint AS period_end,
       s.cancel_at_period_end, extract(epoch FROM s.trial_start)::bigint AS trial_start,
       extract(epoch FROM s.trial_end)::bigint AS trial_end, extract(epoch FROM s.canceled_at)::bigint AS canceled_at,
       extract(epoch FROM s.started_at)::bigint AS started_at,
       extract(epoch FROM s.source_event_created)::bigint AS version
  FROM billing_subscriptions s
  JOIN billing_customers k ON k.organization_id = s.organization_id AND k.id = s.customer_id
  JOIN billing_prices p ON p.id = s.price_id
 WHERE s.organization_id = %(org)s AND s.id = %(id)s

-- name: offline_due
-- the offline provider's subscriptions whose period is over, across organizations (the owner's read)
SELECT organization_id, id FROM billing_subscriptions
 WHERE provider = 'offline' AND status NOT IN ('canceled', 'incomplete_expired')
   AND current_period_end <= to_timestamp(%(now)s)
 ORDER BY current_period_end
 LIMIT %(limit)s

-- name: subscription_by_provider_id
SELECT id FROM billing_subscriptions
 WHERE organization_id = %(org)s AND provider = %(provider)s AND provider_subscription_id = %(sid)s

-- name: find_customer
SELECT provider_customer_id FROM billing_customers
 WHERE provider = %(provider)s AND organization_id = %(org)s AND user_id IS NOT DISTINCT FROM %(user)s

-- name: create_customer
INSERT INTO billing_customers (provider, provider_customer_id, organization_id, user_id)
VALUES (%(provider)s, %(customer)s, %(org)s, %(user)s)
    ON CONFLICT ON CONSTRAINT billing_customers_subscriber_key DO NOTHING
RETURNING provider_customer_id

-- name: is_member
SELECT EXISTS (SELECT FROM memberships WHERE organization_id = %(org)s AND user_id = %(user)s) AS member


-- name: invoice_columns
SELECT id, provider, provider_invoice_id, subscription_id, number, status, currency, total, amount_due, amount_paid,
       period_start, period_end, created, paid_at
  FROM billing_invoices

-- name: invoice_lines
SELECT l.provider_line_id, l.position, l.amount, l.quantity, l.description, p.code AS price_code, l.period_start,
       l.period_end, l.proration
  FROM billing_invoice_lines l LEFT JOIN billing_prices p ON p.id = l.price_id
 WHERE l.organization_id = %(org)s AND l.invoice_id = %(id)s
 ORDER BY l.position

-- name: payment_columns
SELECT id, provider, provider_charge_id, provider_payment_intent_id, invoice_id, currency, amount, amount_refunded,
       status, failure_code, created
  FROM billing_payments

-- name: refund_columns
SELECT id, provider, provider_refund_id, payment_id, currency, amount, status, reason, created FROM billing_refunds

-- name: event_columns
SELECT id, provider, provider_event_id, type, created, object_type, object_id, source, received_at
  FROM billing_provider_events


-- name: insert_usage
-- The period: the organization's live subscription's current one when it holds occurred_at, else
-- the calendar month (UTC). A key sent again records nothing (the caller reads the record).
INSERT INTO billing_usage_records (organization_id, metric, quantity, occurred_at, period_start, period_end,
                                   subscription_id, idempotency_key, created_by)
SELECT %(org)s, %(metric)s, %(quantity)s, %(at)s,
       coalesce(s.current_period_start, date_trunc('month', %(at)s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
       coalesce(s.current_period_end,
                (date_trunc('month', %(at)s AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'),
       s.id, %(key)s, %(user)s
  FROM (SELECT 1) one
  LEFT JOIN billing_subscriptions s
    ON s.organization_id = %(org)s AND s.subscriber_organization_id IS NOT NULL AND billing_live(s.status)
   AND s.current_period_start <= %(at)s AND %(at)s < s.current_period_end
    ON CONFLICT ON CONSTRAINT billing_usage_records_idempotency_key DO NOTHING
RETURNING id, metric, quantity, occurred_at, period_start, period_end, subscription_id, idempotency_key, created_at

-- name: usage_by_key
SELECT id, metric, quantity, occurred_at, period_start, period_end, subscription_id, idempotency_key, created_at
  FROM billing_usage_records WHERE organization_id = %(org)s AND idempotency_key = %(key)s

-- name: usage_per_period
SELECT metric, period_start, period_end, sum(quantity)::bigint AS quantity, count(*)::integer AS records
  FROM billing_usage_records
 WHERE organization_id = %(org)s AND (%(metric)s::text IS NULL OR metric = %(metric)s)
   AND (%(since)s::timestamptz IS NULL OR period_end > %(since)s)
   AND (%(until)s::timestamptz IS NULL OR period_start < %(until)s)
 GROUP BY metric, period_start, period_end
 ORDER BY period_start DESC, metric

-- name: entitlements
SELECT feature, unit, limit_value AS limit, used, subscription_id, plan_code, status, period_start, period_end
  FROM billing_entitlements(%(org)s, %(user)s)
