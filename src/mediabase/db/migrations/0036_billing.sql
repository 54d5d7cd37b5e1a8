-- 0036_billing: plans, prices, subscriptions, invoices, payments, refunds, usage and the payment
-- provider's events (seed 001's billing.ts, seed 004's subscriptions.ts; docs/billing.md explains
-- every rule).
--
--   billing_features        what a plan can grant (transcription_minutes, storage_bytes, seats …)   reference
--   billing_plans           the operator's catalog: plans by unique code                            reference
--   billing_prices          a plan's prices: integer minor units, char(3) currency, month | year    reference
--   billing_plan_features   entitlements: plan -> feature -> limit (NULL: unlimited)               reference
--   billing_customers       the provider's customer ids, each mapped to ONE organization (and user) reference
--   billing_subscriptions   the provider's subscriptions, one row each; the subscriber is the
--                           organization itself (001) or one of its members (004), never both
--   billing_invoices        invoices; total = Σ lines, written only by the lines' trigger
--   billing_invoice_lines   an invoice's lines, replaced with each newer snapshot of the invoice
--   billing_payments        charges; amount_refunded = Σ counted refunds <= amount
--   billing_refunds         refunds of a charge, rows of their own
--   billing_provider_events every provider event, recorded once: (organization_id, provider, event id)
--   billing_usage_records   metered usage (metric, quantity, the billing period it falls in)
--
-- Everything but usage is written by the replay (mediabase.billing.replay): a provider's events,
-- from a JSON-lines log, a webhook or the offline provider, applied set-based as the owner. Each
-- provider object keeps the snapshot of its newest event, by (event created, event id): replaying
-- a log twice, in any order, or with duplicates, leaves the same rows. The application role reads
-- the books of its tenant and appends usage; it writes nothing else here.
--
-- Why the events' unique key holds across tenants although it includes organization_id (Citus
-- requires the distribution column in every unique key): an event's organization is a function
-- of the event (its object's customer, or a refund's charge's customer), and billing_customers maps
-- each (provider, customer id) to one organization, globally (a reference table, its own unique
-- key without organization_id). So the same provider event id always lands in the same
-- organization, where (organization_id, provider, provider_event_id) is unique.

-- -- the catalog (global, managed by operators: mediabase billing plans|prices|features) ---------------

CREATE TABLE billing_features (
    code        text PRIMARY KEY CONSTRAINT billing_features_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    unit        text NOT NULL CONSTRAINT billing_features_unit_format CHECK (unit ~ '^[a-z][a-z0-9_]{0,19}$'),
    description text CONSTRAINT billing_features_description_length CHECK (length(description) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now()
);
SELECT declare_table('billing_features', 'reference');
INSERT INTO billing_features (code, unit, description) VALUES
    ('transcription_minutes', 'minutes', 'Minutes of media transcribed per billing period'),
    ('storage_bytes', 'bytes', 'Bytes of media stored'),
    ('seats', 'seats', 'Members of the organization');

CREATE TABLE billing_plans (
    id          uuid PRIMARY KEY DEFAULT new_id(),
    code        text NOT NULL CONSTRAINT billing_plans_code_format CHECK (code ~ '^[a-z][a-z0-9_-]{0,39}$'),
    name        text NOT NULL CONSTRAINT billing_plans_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description text CONSTRAINT billing_plans_description_length CHECK (length(description) BETWEEN 1 AND 2000),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_plans_code_key UNIQUE (code)
);
SELECT declare_table('billing_plans', 'reference');

CREATE TABLE billing_prices (
    id                uuid PRIMARY KEY DEFAULT new_id(),
    plan_id           uuid NOT NULL REFERENCES billing_plans,
    -- the price's lookup key (Stripe's price.lookup_key): how a provider event names it
    code              text NOT NULL CONSTRAINT billing_prices_code_format
        CHECK (length(code) <= 64 AND code ~ '^[a-z0-9][a-z0-9_-]*$'),
    -- the provider's own id of this price (Stripe: price_…), when events name it by id only
    provider_price_id text CONSTRAINT billing_prices_provider_price_id_format
        CHECK (length(provider_price_id) BETWEEN 1 AND 255 AND provider_price_id ~ '^[A-Za-z0-9_.:-]+$'),
    currency          char(3) NOT NULL CONSTRAINT billing_prices_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    unit_amount       bigint NOT NULL CONSTRAINT billing_prices_unit_amount_nonnegative CHECK (unit_amount >= 0),
    interval          text NOT NULL CONSTRAINT billing_prices_interval_valid CHECK (interval IN ('month', 'year')),
    active            boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_prices_code_key UNIQUE (code),
    CONSTRAINT billing_prices_provider_price_id_key UNIQUE (provider_price_id),
    -- what a subscription's (price, plan, currency) points at: they cannot disagree
    CONSTRAINT billing_prices_plan_currency_key UNIQUE (id, plan_id, currency)
);
SELECT declare_table('billing_prices', 'reference');
CREATE INDEX billing_prices_plan_idx ON billing_prices (plan_id);

CREATE TABLE billing_plan_features (
    plan_id     uuid NOT NULL REFERENCES billing_plans ON DELETE CASCADE,
    feature     text NOT NULL REFERENCES billing_features,
    limit_value bigint CONSTRAINT billing_plan_features_limit_nonnegative CHECK (limit_value >= 0),  -- NULL: unlimited
    -- the limit is per unit of the subscription's quantity (seats bought, for instance)
    per_unit    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (plan_id, feature)
);
SELECT declare_table('billing_plan_features', 'reference');
CREATE INDEX billing_plan_features_feature_idx ON billing_plan_features (feature);

-- -- customers: the provider's customer ids, mapped to organizations --------------------------------

CREATE TABLE billing_customers (
    id                   uuid PRIMARY KEY DEFAULT new_id(),
    provider             text NOT NULL CONSTRAINT billing_customers_provider_format
        CHECK (provider ~ '^[a-z][a-z0-9_]{0,19}$'),
    provider_customer_id text NOT NULL CONSTRAINT billing_customers_provider_customer_id_format
        CHECK (length(provider_customer_id) BETWEEN 1 AND 255 AND provider_customer_id ~ '^[A-Za-z0-9_.:-]+$'),
    organization_id      uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    user_id              uuid REFERENCES users,  -- NULL: the organization itself is the customer
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_customers_provider_key UNIQUE (provider, provider_customer_id),
    -- one customer per subscriber and provider (what the offline provider finds or creates)
    CONSTRAINT billing_customers_subscriber_key UNIQUE NULLS NOT DISTINCT (provider, organization_id, user_id),
    CONSTRAINT billing_customers_org_key UNIQUE (organization_id, id)
);
SELECT declare_table('billing_customers', 'reference');
CREATE INDEX billing_customers_user_idx ON billing_customers (user_id) WHERE user_id IS NOT NULL;

-- -- rules as functions (no table read: plain SQL, inlined) -----------------------------------------

CREATE FUNCTION mediabase.billing_live(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN status NOT IN ('canceled', 'incomplete_expired');

-- Subscription statuses, Stripe's lifecycle, closed under "reachable": a replay compares the stored
-- snapshot with the newest one, which may skip the states between (docs/billing.md). Nothing goes
-- back to incomplete; incomplete_expired only follows incomplete; canceled and incomplete_expired
-- are final.
CREATE FUNCTION mediabase.billing_subscription_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN old = new
        OR (old = 'incomplete' AND new IN ('active', 'trialing', 'past_due', 'unpaid', 'paused', 'canceled',
                                           'incomplete_expired'))
        OR (old IN ('trialing', 'active', 'past_due', 'unpaid', 'paused')
            AND new IN ('trialing', 'active', 'past_due', 'unpaid', 'paused', 'canceled'));

CREATE FUNCTION mediabase.billing_invoice_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN old = new
        OR (old = 'draft' AND new IN ('open', 'paid', 'uncollectible', 'void'))
        OR (old = 'open' AND new IN ('paid', 'uncollectible', 'void'))
        OR (old = 'uncollectible' AND new IN ('paid', 'void'));

CREATE FUNCTION mediabase.billing_payment_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN old = new OR (old = 'pending' AND new IN ('succeeded', 'failed'));

CREATE FUNCTION mediabase.billing_refund_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN old = new
        OR (old IN ('pending', 'requires_action') AND new IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled'))
        OR (old = 'succeeded' AND new = 'failed');

-- the refunds that count against their payment
CREATE FUNCTION mediabase.billing_refund_counts(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN status IN ('pending', 'requires_action', 'succeeded');

-- One entry for the four: the step function of a kind of row.
CREATE FUNCTION mediabase.billing_step(kind text, old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE kind WHEN 'subscription' THEN billing_subscription_step(old, new)
                     WHEN 'invoice' THEN billing_invoice_step(old, new)
                     WHEN 'payment' THEN billing_payment_step(old, new)
                     WHEN 'refund' THEN billing_refund_step(old, new) END;

-- A row's status may only move along its kind's step function. Arguments: the table's name (Citus
-- runs the trigger on a shard, whose name is not the table's) and the kind.
CREATE FUNCTION mediabase.billing_check_step() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce(mediabase.billing_step(TG_ARGV[1], OLD.status, NEW.status), false) THEN
        RAISE EXCEPTION '% cannot go from % to %', TG_ARGV[0], OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0] || '_status_transition', COLUMN = 'status',
                  DETAIL = format('constraint "%s"', TG_ARGV[0] || '_status_transition');
    END IF;
    RETURN NEW;
END
$$;

-- -- subscriptions ------------------------------------------------------------------------------------

CREATE TABLE billing_subscriptions (
    organization_id            uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                         uuid NOT NULL DEFAULT new_id(),
    provider                   text NOT NULL,
    provider_subscription_id   text NOT NULL CONSTRAINT billing_subscriptions_provider_id_format
        CHECK (length(provider_subscription_id) BETWEEN 1 AND 255 AND provider_subscription_id ~ '^[A-Za-z0-9_.:-]+$'),
    customer_id                uuid NOT NULL,
    -- the subscriber, derived from the customer (billing_subscriptions_subscriber): exactly one
    subscriber_organization_id uuid,
    subscriber_user_id         uuid REFERENCES users,
    price_id                   uuid NOT NULL,
    plan_id                    uuid NOT NULL,
    currency                   char(3) NOT NULL,
    quantity                   integer NOT NULL DEFAULT 1 CONSTRAINT billing_subscriptions_quantity_nonnegative
        CHECK (quantity >= 0),
    status                     text NOT NULL CONSTRAINT billing_subscriptions_status_valid CHECK (status IN (
                                   'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled',
                                   'unpaid', 'paused')),
    current_period_start       timestamptz NOT NULL,
    current_period_end         timestamptz NOT NULL,
    cancel_at_period_end       boolean NOT NULL DEFAULT false,
    trial_start                timestamptz,
    trial_end                  timestamptz,
    canceled_at                timestamptz,
    ended_at                   timestamptz,
    started_at                 timestamptz NOT NULL,
    -- the event whose snapshot this is: a newer one replaces it, an older one never does
    source_event_created       timestamptz NOT NULL,
    source_event_id            text COLLATE "C" NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_subscriptions_provider_key UNIQUE (organization_id, provider, provider_subscription_id),
    CONSTRAINT billing_subscriptions_customer_fk FOREIGN KEY (organization_id, customer_id)
        REFERENCES billing_customers (organization_id, id),
    CONSTRAINT billing_subscriptions_price_fk FOREIGN KEY (price_id, plan_id, currency)
        REFERENCES billing_prices (id, plan_id, currency),
    CONSTRAINT billing_subscriptions_one_subscriber CHECK (num_nonnulls(subscriber_organization_id, subscriber_user_id) = 1),
    CONSTRAINT billing_subscriptions_subscriber_is_org CHECK (subscriber_organization_id = organization_id),
    CONSTRAINT billing_subscriptions_period_order CHECK (current_period_start < current_period_end),
    CONSTRAINT billing_subscriptions_trial_order CHECK (trial_start <= trial_end),
    CONSTRAINT billing_subscriptions_ended_when_canceled CHECK (status <> 'canceled' OR ended_at IS NOT NULL)
);
SELECT declare_table('billing_subscriptions', 'distributed');
-- at most one live subscription per subscriber: the organization's own, and each member's
CREATE UNIQUE INDEX billing_subscriptions_one_live_org ON billing_subscriptions (organization_id)
    WHERE subscriber_organization_id IS NOT NULL AND status NOT IN ('canceled', 'incomplete_expired');
CREATE UNIQUE INDEX billing_subscriptions_one_live_user ON billing_subscriptions (organization_id, subscriber_user_id)
    WHERE subscriber_user_id IS NOT NULL AND status NOT IN ('canceled', 'incomplete_expired');
CREATE INDEX billing_subscriptions_customer_idx ON billing_subscriptions (organization_id, customer_id);
CREATE INDEX billing_subscriptions_user_idx ON billing_subscriptions (subscriber_user_id) WHERE subscriber_user_id IS NOT NULL;
CREATE INDEX billing_subscriptions_price_idx ON billing_subscriptions (price_id, plan_id, currency);
-- the offline provider's clock: live subscriptions whose period is over (mediabase billing advance)
CREATE INDEX billing_subscriptions_offline_due_idx ON billing_subscriptions (current_period_end)
    WHERE provider = 'offline' AND status NOT IN ('canceled', 'incomplete_expired');

-- The subscriber is the customer's: the organization, or the member the customer stands for (who
-- must be a member when the subscription is first recorded). Who it is never changes.
CREATE FUNCTION mediabase.billing_subscriptions_subscriber() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    c record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.provider, NEW.provider_subscription_id, NEW.customer_id, NEW.subscriber_organization_id, NEW.subscriber_user_id)
           IS DISTINCT FROM (OLD.provider, OLD.provider_subscription_id, OLD.customer_id, OLD.subscriber_organization_id,
                             OLD.subscriber_user_id) THEN
            RAISE EXCEPTION 'a subscription''s provider, customer and subscriber cannot change'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_immutable',
                      DETAIL = 'constraint "billing_subscriptions_immutable"';
        END IF;
        RETURN NEW;
    END IF;
    SELECT k.provider, k.user_id INTO c FROM billing_customers k
     WHERE k.organization_id = NEW.organization_id AND k.id = NEW.customer_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- billing_subscriptions_customer_fk says so
    END IF;
    IF c.provider <> NEW.provider THEN
        RAISE EXCEPTION 'the customer is a customer of %, not of %', c.provider, NEW.provider
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_customer_provider',
                  DETAIL = 'constraint "billing_subscriptions_customer_provider"';
    END IF;
    NEW.subscriber_user_id := c.user_id;
    NEW.subscriber_organization_id := CASE WHEN c.user_id IS NULL THEN NEW.organization_id END;
    IF c.user_id IS NOT NULL AND NOT EXISTS (
        SELECT FROM memberships m WHERE m.organization_id = NEW.organization_id AND m.user_id = c.user_id) THEN
        RAISE EXCEPTION 'the subscriber % is not a member of the organization', c.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_subscriber_member',
                  COLUMN = 'subscriber_user_id', DETAIL = 'constraint "billing_subscriptions_subscriber_member"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_subscriptions_subscriber BEFORE INSERT OR UPDATE ON billing_subscriptions
    FOR EACH ROW EXECUTE FUNCTION billing_subscriptions_subscriber();
CREATE TRIGGER billing_subscriptions_status_transition BEFORE UPDATE OF status ON billing_subscriptions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION billing_check_step('billing_subscriptions', 'subscription');

-- -- invoices and their lines ---------------------------------------------------------------------

CREATE TABLE billing_invoices (
    organization_id      uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                   uuid NOT NULL DEFAULT new_id(),
    provider             text NOT NULL,
    provider_invoice_id  text NOT NULL CONSTRAINT billing_invoices_provider_id_format
        CHECK (length(provider_invoice_id) BETWEEN 1 AND 255 AND provider_invoice_id ~ '^[A-Za-z0-9_.:-]+$'),
    customer_id          uuid NOT NULL,
    subscription_id      uuid,
    number               text CONSTRAINT billing_invoices_number_format
        CHECK (length(number) BETWEEN 1 AND 100 AND number ~ '^[A-Za-z0-9_./-]+$'),
    status               text NOT NULL CONSTRAINT billing_invoices_status_valid
        CHECK (status IN ('draft', 'open', 'paid', 'uncollectible', 'void')),
    currency             char(3) NOT NULL CONSTRAINT billing_invoices_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    -- Σ of the lines' amounts (a credit line is negative): checked at commit, set when lines change
    total                bigint NOT NULL DEFAULT 0,
    amount_due           bigint NOT NULL CONSTRAINT billing_invoices_amount_due_nonnegative CHECK (amount_due >= 0),
    amount_paid          bigint NOT NULL CONSTRAINT billing_invoices_amount_paid_range
        CHECK (amount_paid >= 0 AND amount_paid <= amount_due),
    period_start         timestamptz NOT NULL,
    period_end           timestamptz NOT NULL,
    created              timestamptz NOT NULL,  -- the provider's
    paid_at              timestamptz,
    source_event_created timestamptz NOT NULL,
    source_event_id      text COLLATE "C" NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_invoices_provider_key UNIQUE (organization_id, provider, provider_invoice_id),
    CONSTRAINT billing_invoices_currency_key UNIQUE (organization_id, id, currency),
    CONSTRAINT billing_invoices_customer_fk FOREIGN KEY (organization_id, customer_id)
        REFERENCES billing_customers (organization_id, id),
    CONSTRAINT billing_invoices_subscription_fk FOREIGN KEY (organization_id, subscription_id)
        REFERENCES billing_subscriptions (organization_id, id),
    CONSTRAINT billing_invoices_period_order CHECK (period_start <= period_end),
    CONSTRAINT billing_invoices_paid_in_full CHECK (status <> 'paid' OR (amount_paid = amount_due AND paid_at IS NOT NULL))
);
SELECT declare_table('billing_invoices', 'distributed');
CREATE INDEX billing_invoices_recent_idx ON billing_invoices (organization_id, created DESC, id DESC);
CREATE INDEX billing_invoices_customer_idx ON billing_invoices (organization_id, customer_id);
CREATE INDEX billing_invoices_subscription_idx ON billing_invoices (organization_id, subscription_id)
    WHERE subscription_id IS NOT NULL;
CREATE TRIGGER billing_invoices_status_transition BEFORE UPDATE OF status ON billing_invoices
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION billing_check_step('billing_invoices', 'invoice');

-- total is the lines' sum: checked for every invoice inserted or whose total changed, at commit (a
-- replay writes an invoice, then its lines); and a change of lines sets it (below).
CREATE FUNCTION mediabase.billing_invoices_check_total() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    stored bigint;
    summed bigint;
BEGIN
    SELECT i.total INTO stored FROM billing_invoices i WHERE i.organization_id = NEW.organization_id AND i.id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;  -- deleted since
    END IF;
    SELECT coalesce(sum(l.amount), 0) INTO summed FROM billing_invoice_lines l
     WHERE l.organization_id = NEW.organization_id AND l.invoice_id = NEW.id;
    IF summed <> stored THEN
        RAISE EXCEPTION 'invoice %: its total % is not the sum of its lines (%)', NEW.id, stored, summed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_invoices_total_is_lines', COLUMN = 'total',
                  DETAIL = 'constraint "billing_invoices_total_is_lines"';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER billing_invoices_total_is_lines AFTER INSERT OR UPDATE OF total ON billing_invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_invoices_check_total();

CREATE TABLE billing_invoice_lines (
    organization_id  uuid NOT NULL,
    id               uuid NOT NULL DEFAULT new_id(),
    invoice_id       uuid NOT NULL,
    currency         char(3) NOT NULL,  -- the invoice's (one composite key keeps them equal)
    provider_line_id text NOT NULL CONSTRAINT billing_invoice_lines_provider_id_format
        CHECK (length(provider_line_id) BETWEEN 1 AND 255 AND provider_line_id ~ '^[A-Za-z0-9_.:-]+$'),
    position         integer NOT NULL CONSTRAINT billing_invoice_lines_position_nonnegative CHECK (position >= 0),
    amount           bigint NOT NULL,  -- minor units; negative for a credit (proration)
    quantity         bigint CONSTRAINT billing_invoice_lines_quantity_nonnegative CHECK (quantity >= 0),
    description      text CONSTRAINT billing_invoice_lines_description_length CHECK (length(description) <= 2000),
    price_id         uuid REFERENCES billing_prices,
    period_start     timestamptz NOT NULL,
    period_end       timestamptz NOT NULL,
    proration        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_invoice_lines_provider_key UNIQUE (organization_id, invoice_id, provider_line_id),
    CONSTRAINT billing_invoice_lines_invoice_fk FOREIGN KEY (organization_id, invoice_id, currency)
        REFERENCES billing_invoices (organization_id, id, currency) ON DELETE CASCADE,
    CONSTRAINT billing_invoice_lines_period_order CHECK (period_start <= period_end)
);
SELECT declare_table('billing_invoice_lines', 'distributed');
CREATE INDEX billing_invoice_lines_price_idx ON billing_invoice_lines (price_id) WHERE price_id IS NOT NULL;

-- An invoice's total follows its lines (where it differs), once per statement: on one server in one UPDATE; on Citus
-- per organization (the trigger runs on a shard, where the transition table cannot be joined with a
-- distributed table; each UPDATE then names one organization and goes to its shard).
CREATE FUNCTION mediabase.billing_invoice_lines_total() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF NOT citus_installed() THEN
        UPDATE billing_invoices i SET total = s.total
          FROM (SELECT c.organization_id, c.invoice_id, coalesce(sum(l.amount), 0) AS total
                  FROM (SELECT DISTINCT x.organization_id, x.invoice_id FROM changed x) c
                  LEFT JOIN billing_invoice_lines l
                    ON l.organization_id = c.organization_id AND l.invoice_id = c.invoice_id
                 GROUP BY c.organization_id, c.invoice_id) s
         WHERE i.organization_id = s.organization_id AND i.id = s.invoice_id AND i.total IS DISTINCT FROM s.total;
        RETURN NULL;
    END IF;
    FOR g IN SELECT c.organization_id AS org, array_agg(DISTINCT c.invoice_id) AS invoices
               FROM changed c GROUP BY c.organization_id LOOP
        UPDATE billing_invoices i SET total = s.total
          FROM (SELECT v.id, coalesce((SELECT sum(l.amount) FROM billing_invoice_lines l
                                        WHERE l.organization_id = g.org AND l.invoice_id = v.id), 0) AS total
                  FROM unnest(g.invoices) AS v (id)) s
         WHERE i.organization_id = g.org AND i.id = s.id AND i.total IS DISTINCT FROM s.total;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER billing_invoice_lines_total_ins AFTER INSERT ON billing_invoice_lines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_invoice_lines_total();
CREATE TRIGGER billing_invoice_lines_total_upd AFTER UPDATE ON billing_invoice_lines
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_invoice_lines_total();
CREATE TRIGGER billing_invoice_lines_total_del AFTER DELETE ON billing_invoice_lines
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_invoice_lines_total();

-- -- payments (charges) and refunds --------------------------------------------------------------

CREATE TABLE billing_payments (
    organization_id            uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                         uuid NOT NULL DEFAULT new_id(),
    provider                   text NOT NULL,
    provider_charge_id         text NOT NULL CONSTRAINT billing_payments_provider_id_format
        CHECK (length(provider_charge_id) BETWEEN 1 AND 255 AND provider_charge_id ~ '^[A-Za-z0-9_.:-]+$'),
    provider_payment_intent_id text CONSTRAINT billing_payments_payment_intent_format
        CHECK (length(provider_payment_intent_id) BETWEEN 1 AND 255 AND provider_payment_intent_id ~ '^[A-Za-z0-9_.:-]+$'),
    customer_id                uuid NOT NULL,
    invoice_id                 uuid,
    currency                   char(3) NOT NULL CONSTRAINT billing_payments_currency_format
        CHECK (currency ~ '^[A-Z]{3}$'),
    amount                     bigint NOT NULL CONSTRAINT billing_payments_amount_positive CHECK (amount > 0),
    -- Σ amounts of the refunds that count (billing_refund_counts): written by billing_refunds_sum only
    amount_refunded            bigint NOT NULL DEFAULT 0,
    status                     text NOT NULL CONSTRAINT billing_payments_status_valid
        CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_code               text CONSTRAINT billing_payments_failure_code_format
        CHECK (length(failure_code) BETWEEN 1 AND 100 AND failure_code ~ '^[A-Za-z0-9_.-]+$'),
    created                    timestamptz NOT NULL,
    source_event_created       timestamptz NOT NULL,
    source_event_id            text COLLATE "C" NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_payments_provider_key UNIQUE (organization_id, provider, provider_charge_id),
    CONSTRAINT billing_payments_currency_key UNIQUE (organization_id, id, currency),
    CONSTRAINT billing_payments_customer_fk FOREIGN KEY (organization_id, customer_id)
        REFERENCES billing_customers (organization_id, id),
    CONSTRAINT billing_payments_invoice_fk FOREIGN KEY (organization_id, invoice_id, currency)
        REFERENCES billing_invoices (organization_id, id, currency),
    CONSTRAINT billing_payments_refunds_within_amount CHECK (amount_refunded >= 0 AND amount_refunded <= amount)
);
SELECT declare_table('billing_payments', 'distributed');
CREATE INDEX billing_payments_recent_idx ON billing_payments (organization_id, created DESC, id DESC);
CREATE INDEX billing_payments_customer_idx ON billing_payments (organization_id, customer_id);
CREATE INDEX billing_payments_invoice_idx ON billing_payments (organization_id, invoice_id) WHERE invoice_id IS NOT NULL;
-- a refund event names its charge only: the replay finds the charge's organization by it
CREATE INDEX billing_payments_charge_idx ON billing_payments (provider, provider_charge_id);
CREATE TRIGGER billing_payments_status_transition BEFORE UPDATE OF status ON billing_payments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION billing_check_step('billing_payments', 'payment');

CREATE FUNCTION mediabase.billing_payments_refunded_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.amount_refunded := 0;
    ELSIF NEW.amount_refunded IS DISTINCT FROM OLD.amount_refunded AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a payment''s amount_refunded is the sum of its refunds: record a refund'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_payments_refunded_is_refunds',
                  COLUMN = 'amount_refunded', DETAIL = 'constraint "billing_payments_refunded_is_refunds"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_payments_refunded_guard BEFORE INSERT OR UPDATE ON billing_payments
    FOR EACH ROW EXECUTE FUNCTION billing_payments_refunded_guard();

CREATE TABLE billing_refunds (
    organization_id      uuid NOT NULL,
    id                   uuid NOT NULL DEFAULT new_id(),
    provider             text NOT NULL,
    provider_refund_id   text NOT NULL CONSTRAINT billing_refunds_provider_id_format
        CHECK (length(provider_refund_id) BETWEEN 1 AND 255 AND provider_refund_id ~ '^[A-Za-z0-9_.:-]+$'),
    payment_id           uuid NOT NULL,
    currency             char(3) NOT NULL,  -- the payment's
    amount               bigint NOT NULL CONSTRAINT billing_refunds_amount_positive CHECK (amount > 0),
    status               text NOT NULL CONSTRAINT billing_refunds_status_valid
        CHECK (status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')),
    reason               text CONSTRAINT billing_refunds_reason_format
        CHECK (length(reason) BETWEEN 1 AND 100 AND reason ~ '^[a-z_]+$'),
    created              timestamptz NOT NULL,
    source_event_created timestamptz NOT NULL,
    source_event_id      text COLLATE "C" NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_refunds_provider_key UNIQUE (organization_id, provider, provider_refund_id),
    CONSTRAINT billing_refunds_payment_fk FOREIGN KEY (organization_id, payment_id, currency)
        REFERENCES billing_payments (organization_id, id, currency) ON DELETE CASCADE
);
SELECT declare_table('billing_refunds', 'distributed');
CREATE INDEX billing_refunds_payment_idx ON billing_refunds (organization_id, payment_id, currency);
CREATE INDEX billing_refunds_recent_idx ON billing_refunds (organization_id, created DESC, id DESC);
CREATE TRIGGER billing_refunds_status_transition BEFORE UPDATE OF status ON billing_refunds
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION billing_check_step('billing_refunds', 'refund');

-- A payment's amount_refunded follows its refunds, once per statement (as the invoices' totals);
-- its CHECK (billing_payments_refunds_within_amount) refuses refunds beyond the payment.
CREATE FUNCTION mediabase.billing_refunds_sum() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    IF NOT citus_installed() THEN
        UPDATE billing_payments p SET amount_refunded = s.refunded
          FROM (SELECT c.organization_id, c.payment_id,
                       coalesce(sum(r.amount) FILTER (WHERE billing_refund_counts(r.status)), 0) AS refunded
                  FROM (SELECT DISTINCT x.organization_id, x.payment_id FROM changed x) c
                  LEFT JOIN billing_refunds r ON r.organization_id = c.organization_id AND r.payment_id = c.payment_id
                 GROUP BY c.organization_id, c.payment_id) s
         WHERE p.organization_id = s.organization_id AND p.id = s.payment_id
           AND p.amount_refunded IS DISTINCT FROM s.refunded;
        RETURN NULL;
    END IF;
    FOR g IN SELECT c.organization_id AS org, array_agg(DISTINCT c.payment_id) AS payments
               FROM changed c GROUP BY c.organization_id LOOP
        UPDATE billing_payments p SET amount_refunded = s.refunded
          FROM (SELECT v.id, coalesce((SELECT sum(r.amount) FROM billing_refunds r
                                        WHERE r.organization_id = g.org AND r.payment_id = v.id
                                          AND billing_refund_counts(r.status)), 0) AS refunded
                  FROM unnest(g.payments) AS v (id)) s
         WHERE p.organization_id = g.org AND p.id = s.id AND p.amount_refunded IS DISTINCT FROM s.refunded;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER billing_refunds_sum_ins AFTER INSERT ON billing_refunds
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_refunds_sum();
CREATE TRIGGER billing_refunds_sum_upd AFTER UPDATE ON billing_refunds
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_refunds_sum();
CREATE TRIGGER billing_refunds_sum_del AFTER DELETE ON billing_refunds
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION billing_refunds_sum();

-- -- provider events ------------------------------------------------------------------------------

CREATE TABLE billing_provider_events (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    provider          text NOT NULL,
    provider_event_id text NOT NULL CONSTRAINT billing_provider_events_provider_id_format
        CHECK (length(provider_event_id) BETWEEN 1 AND 255 AND provider_event_id ~ '^[A-Za-z0-9_.:-]+$'),
    type              text NOT NULL CONSTRAINT billing_provider_events_type_format
        CHECK (length(type) <= 100 AND type ~ '^[a-z_]+(\.[a-z_]+)+$'),
    created           timestamptz NOT NULL,  -- the provider's
    object_type       text NOT NULL CONSTRAINT billing_provider_events_object_type_format
        CHECK (length(object_type) BETWEEN 1 AND 100 AND object_type ~ '^[a-z_.]+$'),
    object_id         text CONSTRAINT billing_provider_events_object_id_format
        CHECK (length(object_id) BETWEEN 1 AND 255 AND object_id ~ '^[A-Za-z0-9_.:-]+$'),
    livemode          boolean NOT NULL DEFAULT false,
    api_version       text CONSTRAINT billing_provider_events_api_version_length
        CHECK (length(api_version) BETWEEN 1 AND 100),
    -- the event as received, byte for byte (json, not jsonb: kept verbatim, only validated on the way in)
    payload           json NOT NULL CONSTRAINT billing_provider_events_payload_object
        CHECK (json_typeof(payload) = 'object'),
    source            text NOT NULL CONSTRAINT billing_provider_events_source_valid
        CHECK (source IN ('replay', 'webhook', 'api')),
    received_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_provider_events_provider_key UNIQUE (organization_id, provider, provider_event_id)
);
SELECT declare_table('billing_provider_events', 'distributed');
CREATE INDEX billing_provider_events_recent_idx ON billing_provider_events (organization_id, created DESC, id DESC);

-- -- usage ----------------------------------------------------------------------------------------

CREATE TABLE billing_usage_records (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    metric          text NOT NULL REFERENCES billing_features,
    quantity        bigint NOT NULL CONSTRAINT billing_usage_records_quantity_nonnegative CHECK (quantity >= 0),
    occurred_at     timestamptz NOT NULL,
    -- the billing period it counts in: the organization's live subscription's current period when
    -- it falls in one, else the calendar month (UTC)
    period_start    timestamptz NOT NULL,
    period_end      timestamptz NOT NULL,
    subscription_id uuid,
    idempotency_key text CONSTRAINT billing_usage_records_idempotency_key_format
        CHECK (length(idempotency_key) BETWEEN 1 AND 200 AND idempotency_key ~ '^[A-Za-z0-9_.:-]+$'),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT billing_usage_records_idempotency_key UNIQUE (organization_id, idempotency_key),
    CONSTRAINT billing_usage_records_subscription_fk FOREIGN KEY (organization_id, subscription_id)
        REFERENCES billing_subscriptions (organization_id, id),
    CONSTRAINT billing_usage_records_in_period CHECK (period_start <= occurred_at AND occurred_at < period_end)
);
SELECT declare_table('billing_usage_records', 'distributed');
-- usage per metric and period (the entitlements' "used", GET /billing/usage); serves the metric key
CREATE INDEX billing_usage_records_period_idx
    ON billing_usage_records (organization_id, metric, period_start, period_end) INCLUDE (quantity);
CREATE INDEX billing_usage_records_metric_idx ON billing_usage_records (metric);
CREATE INDEX billing_usage_records_subscription_idx ON billing_usage_records (organization_id, subscription_id)
    WHERE subscription_id IS NOT NULL;
CREATE INDEX billing_usage_records_created_by_idx ON billing_usage_records (created_by) WHERE created_by IS NOT NULL;

-- Usage per metric and period, for SQL users (the API's GET /billing/usage reads the same sums).
CREATE VIEW billing_usage_per_period WITH (security_invoker = true) AS
SELECT organization_id, metric, period_start, period_end, sum(quantity)::bigint AS quantity, count(*) AS records
  FROM billing_usage_records
 GROUP BY organization_id, metric, period_start, period_end;

-- -- entitlements ---------------------------------------------------------------------------------

-- The entitlements of an organization's live subscription (subscriber_user NULL) or of a member's:
-- each feature of its plan with its limit (NULL: unlimited; per_unit: times the quantity) and what
-- was used in the current period (seats: the members). Entitled are trialing, active and past_due
-- subscriptions; none: no rows. PL/pgSQL: Citus plans no parameterized SQL function over
-- distributed tables.
CREATE FUNCTION mediabase.billing_entitlements(org uuid, subscriber_user uuid DEFAULT NULL)
    RETURNS TABLE (feature text, unit text, limit_value bigint, used bigint, subscription_id uuid, plan_code text,
                   status text, period_start timestamptz, period_end timestamptz)
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
DECLARE
    s record;
BEGIN
    SELECT x.id, x.plan_id, x.quantity, x.status, x.current_period_start, x.current_period_end INTO s
      FROM billing_subscriptions x
     WHERE x.organization_id = org AND billing_live(x.status)
       AND CASE WHEN subscriber_user IS NULL THEN x.subscriber_organization_id IS NOT NULL
                ELSE x.subscriber_user_id = subscriber_user END;
    IF NOT FOUND OR s.status NOT IN ('trialing', 'active', 'past_due') THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT f.code, f.unit,
           CASE WHEN pf.per_unit THEN pf.limit_value * s.quantity ELSE pf.limit_value END,
           CASE WHEN f.code = 'seats' THEN (SELECT count(*) FROM memberships m WHERE m.organization_id = org)
                ELSE coalesce((SELECT sum(u.quantity) FROM billing_usage_records u
                                WHERE u.organization_id = org AND u.metric = f.code
                                  AND u.period_start = s.current_period_start
                                  AND u.period_end = s.current_period_end), 0)::bigint END,
           s.id, p.code, s.status, s.current_period_start, s.current_period_end
      FROM billing_plan_features pf
      JOIN billing_features f ON f.code = pf.feature
      JOIN billing_plans p ON p.id = pf.plan_id
     WHERE pf.plan_id = s.plan_id
     ORDER BY f.code;
END
$$;

-- -- tenancy and privileges -------------------------------------------------------------------------

SELECT make_tenant_table(format('mediabase.%I', t)::regclass)
  FROM unnest(ARRAY['billing_subscriptions', 'billing_invoices', 'billing_invoice_lines', 'billing_payments',
                    'billing_refunds', 'billing_provider_events', 'billing_usage_records']) AS t;
-- the catalog is read by every tenant and written by operators (the owner) only
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON billing_features, billing_plans, billing_prices, billing_plan_features
    FROM mediabase_app;
-- the customer map crosses tenants: the application role has no access at all
REVOKE ALL ON billing_customers FROM mediabase_app;
-- the books are written by the replay (the owner) only; the application role reads its tenant's
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON billing_subscriptions, billing_invoices, billing_invoice_lines,
    billing_payments, billing_refunds, billing_provider_events FROM mediabase_app;
-- usage is appended
REVOKE UPDATE, DELETE, TRUNCATE ON billing_usage_records FROM mediabase_app;
-- Audited: subscriptions (a few rows per subscriber; the actor is the member who subscribed or
-- cancelled through the API, none for a replay or webhook). Not audited row by row: invoices, their
-- lines, payments and refunds come from provider events, which are kept (billing_provider_events
-- is their trail, and itself a log); usage records are append-only metering.
SELECT audit_table('billing_subscriptions', '{}', '{source_event_created,source_event_id}');
