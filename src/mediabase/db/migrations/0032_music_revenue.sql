-- 0032_music_revenue: revenue, dividends and payouts of the music marketplace (seed 004's "revenue
-- and dividends"; docs/music-revenue.md explains every rule).
--
--   music_revenue_events  what a master earned: one row per statement line of a source (spotify,
--                         apple, youtube, sync, direct …), unique per (source, external_id), so
--                         importing a statement twice records each line once. Append-only.
--   music_dividends       a period's revenue of a master in one currency, distributed to the holders
--                         of the master's share asset at one record point (an instant or a block);
--                         one per (master, currency, period), periods of a master never overlap.
--   music_payouts         one row per holder of a dividend: its holding at the record point and its
--                         amount (largest-remainder allocation), then pending -> paid | failed.
--
-- Periods are half-open date ranges [period_start, period_end). A revenue event belongs to the
-- dividend period that contains its period_start; once a period is distributed, no event may be
-- dated into it (music_revenue_events_period_open): distributable stays what the period earned.
-- The investors' share: the master's signed contract's 'investors' splits in basis points (0029),
-- or all of it (10,000 bps) when the master has no signed contract.
-- Exactness: Σ payouts + remainder = distributable to the unit (music_dividends_exact, a deferred
-- constraint trigger, and the distributing function checks it too). With the largest-remainder
-- allocation the remainder is 0 whenever there is a holder; a dividend without holders keeps it all.
-- Payouts are written only by mediabase.music_distribute_dividend (the application role has no
-- INSERT on them) in ONE set-based statement; their amounts never change afterwards.

-- -- revenue events --------------------------------------------------------------------------------

CREATE TABLE music_revenue_events (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    master_id       uuid NOT NULL,
    source          text NOT NULL CONSTRAINT music_revenue_events_source_format CHECK (source ~ '^[a-z][a-z0-9_-]{0,39}$'),
    external_id     text NOT NULL CONSTRAINT music_revenue_events_external_id_format
        CHECK (length(external_id) BETWEEN 1 AND 200 AND external_id !~ '[[:cntrl:]]'),
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    amount          numeric(38, 0) NOT NULL CONSTRAINT music_revenue_events_amount_positive CHECK (amount > 0),
    currency        char(3) NOT NULL CONSTRAINT music_revenue_events_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    received_at     timestamptz NOT NULL DEFAULT now(),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_revenue_events_external_key UNIQUE (organization_id, source, external_id),
    CONSTRAINT music_revenue_events_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id),
    CONSTRAINT music_revenue_events_period_order CHECK (period_start < period_end)
);
SELECT declare_table('music_revenue_events', 'distributed');
-- a master's revenue by period (the dividend's sum, revenue per master and period); serves the master key
CREATE INDEX music_revenue_events_master_idx
    ON music_revenue_events (organization_id, master_id, currency, period_start) INCLUDE (amount);
CREATE INDEX music_revenue_events_created_by_idx ON music_revenue_events (created_by) WHERE created_by IS NOT NULL;

-- An event may not be dated into a period whose dividend exists. The master's row is share-locked
-- (a distribution of the master holds it FOR NO KEY UPDATE), so an import and a distribution of the
-- same master never pass each other unseen.
CREATE FUNCTION mediabase.music_revenue_events_period_open() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    d record;
BEGIN
    PERFORM FROM music_masters m WHERE m.organization_id = NEW.organization_id AND m.id = NEW.master_id FOR SHARE;
    SELECT x.id, x.period_start, x.period_end INTO d FROM music_dividends x
     WHERE x.organization_id = NEW.organization_id AND x.master_id = NEW.master_id AND x.currency = NEW.currency
       AND x.period_start <= NEW.period_start AND NEW.period_start < x.period_end;
    IF FOUND THEN
        RAISE EXCEPTION 'revenue % % starting % falls in a period already distributed (% to %): date it in a later period',
                        NEW.source, NEW.external_id, NEW.period_start, d.period_start, d.period_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_revenue_events_period_open', COLUMN = 'period_start',
                  DETAIL = 'constraint "music_revenue_events_period_open"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_revenue_events_period_open BEFORE INSERT ON music_revenue_events
    FOR EACH ROW EXECUTE FUNCTION music_revenue_events_period_open();

-- -- dividends -------------------------------------------------------------------------------------

CREATE TABLE music_dividends (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    master_id       uuid NOT NULL,
    asset_id        uuid NOT NULL,  -- the master's share asset
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    currency        char(3) NOT NULL CONSTRAINT music_dividends_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    -- the record point: an instant, or a block of a chain (exactly one)
    record_at       timestamptz,
    record_chain_id bigint,
    record_block    bigint CONSTRAINT music_dividends_record_block_nonnegative CHECK (record_block >= 0),
    revenue         numeric(38, 0) NOT NULL CONSTRAINT music_dividends_revenue_positive CHECK (revenue > 0),
    investors_bps   integer NOT NULL CONSTRAINT music_dividends_investors_bps_range CHECK (investors_bps BETWEEN 0 AND 10000),
    contract_id     uuid,  -- the signed contract whose investors' share applied (NULL: none, 100%)
    distributable   numeric(38, 0) NOT NULL CONSTRAINT music_dividends_distributable_positive CHECK (distributable > 0),
    remainder       numeric(38, 0) NOT NULL CONSTRAINT music_dividends_remainder_nonnegative CHECK (remainder >= 0),
    holders         integer NOT NULL CONSTRAINT music_dividends_holders_nonnegative CHECK (holders >= 0),
    total_holding   numeric(78, 0) NOT NULL CONSTRAINT music_dividends_total_holding_nonnegative CHECK (total_holding >= 0),
    status          text NOT NULL DEFAULT 'computed'
        CONSTRAINT music_dividends_status_valid CHECK (status IN ('computed', 'paying', 'paid')),
    paid_at         timestamptz,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- what a payout's (dividend, currency) points at
    CONSTRAINT music_dividends_currency_key UNIQUE (organization_id, id, currency),
    -- re-running a distribution finds this one (idempotent)
    CONSTRAINT music_dividends_period_key UNIQUE (organization_id, master_id, currency, period_start, period_end),
    CONSTRAINT music_dividends_no_overlap EXCLUDE USING gist (
        organization_id WITH =, master_id WITH =, currency WITH =, daterange(period_start, period_end) WITH &&),
    CONSTRAINT music_dividends_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id),
    CONSTRAINT music_dividends_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_dividends_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_contracts (organization_id, id),
    CONSTRAINT music_dividends_period_order CHECK (period_start < period_end),
    CONSTRAINT music_dividends_record_point CHECK (
        num_nonnulls(record_at, record_block) = 1 AND (record_chain_id IS NULL) = (record_block IS NULL)),
    -- the investors' share of the revenue, rounded down to the unit
    CONSTRAINT music_dividends_investors_share CHECK (distributable = div(revenue * investors_bps, 10000)),
    -- the largest-remainder allocation leaves nothing over when there is a holder
    CONSTRAINT music_dividends_remainder_rule CHECK ((holders = 0) = (remainder = distributable)
                                                     AND (holders = 0 OR remainder = 0)),
    CONSTRAINT music_dividends_paid_at_when_paid CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
SELECT declare_table('music_dividends', 'distributed');
CREATE INDEX music_dividends_asset_idx ON music_dividends (organization_id, asset_id);
CREATE INDEX music_dividends_contract_idx ON music_dividends (organization_id, contract_id) WHERE contract_id IS NOT NULL;
CREATE INDEX music_dividends_created_by_idx ON music_dividends (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX music_dividends_recent_idx ON music_dividends (organization_id, created_at DESC, id DESC);
CREATE TRIGGER music_dividends_immutable BEFORE UPDATE ON music_dividends
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'master_id', 'asset_id', 'period_start', 'period_end', 'currency', 'record_at', 'record_chain_id', 'record_block',
        'revenue', 'investors_bps', 'contract_id', 'distributable', 'remainder', 'holders', 'total_holding',
        'created_by', 'created_at');
CREATE TRIGGER music_dividends_status_transition BEFORE INSERT OR UPDATE OF status ON music_dividends
    FOR EACH ROW EXECUTE FUNCTION check_status_transition('>computed', 'computed>paying', 'computed>paid', 'paying>paid');

-- -- payouts ---------------------------------------------------------------------------------------

CREATE TABLE music_payouts (
    organization_id uuid NOT NULL,
    dividend_id     uuid NOT NULL,
    account_id      uuid NOT NULL,
    currency        char(3) NOT NULL,  -- the dividend's (one composite key keeps them equal)
    holding         numeric(78, 0) NOT NULL CONSTRAINT music_payouts_holding_positive CHECK (holding > 0),
    amount          numeric(38, 0) NOT NULL CONSTRAINT music_payouts_amount_nonnegative CHECK (amount >= 0),
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT music_payouts_status_valid CHECK (status IN ('pending', 'paid', 'failed')),
    paid_at         timestamptz,
    failed_at       timestamptz,
    external_ref    text CONSTRAINT music_payouts_external_ref_format
        CHECK (length(external_ref) BETWEEN 1 AND 200 AND external_ref !~ '[[:cntrl:]]'),
    failure_reason  text CONSTRAINT music_payouts_failure_reason_length CHECK (length(failure_reason) BETWEEN 1 AND 2000),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, dividend_id, account_id),
    CONSTRAINT music_payouts_dividend_fk FOREIGN KEY (organization_id, dividend_id, currency)
        REFERENCES music_dividends (organization_id, id, currency),
    CONSTRAINT music_payouts_account_fk FOREIGN KEY (organization_id, account_id)
        REFERENCES music_accounts (organization_id, id),
    CONSTRAINT music_payouts_paid_at_when_paid CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    CONSTRAINT music_payouts_failed_at_when_failed CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
    CONSTRAINT music_payouts_reason_when_failed CHECK (failure_reason IS NULL OR status = 'failed'),
    -- a new payout is pending: it was never paid (updated_at is set once, at the insert)
    CONSTRAINT music_payouts_starts_pending CHECK (status <> 'pending' OR (paid_at IS NULL AND failed_at IS NULL))
);
SELECT declare_table('music_payouts', 'distributed');
-- a holder's payouts newest first (dividend ids are time-ordered) and unpaid balance; serves the account key
CREATE INDEX music_payouts_account_idx ON music_payouts (organization_id, account_id, dividend_id)
    INCLUDE (status, currency, amount);
CREATE TRIGGER music_payouts_touch BEFORE UPDATE ON music_payouts FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER music_payouts_immutable BEFORE UPDATE ON music_payouts
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('dividend_id', 'account_id', 'currency', 'holding', 'amount');
-- paid is final; a failed payout may be retried (back to pending) or paid. A payout starts
-- pending (music_payouts_starts_pending: a CHECK on the insert costs nothing per row, a trigger
-- would fire 100,000 times in one distribution).
CREATE TRIGGER music_payouts_status_transition BEFORE UPDATE OF status ON music_payouts
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        'pending>paid', 'pending>failed', 'failed>pending', 'failed>paid');

-- The dividend's status follows its payouts, once per statement: paid when every payout is paid,
-- paying as soon as one is paid or failed.
CREATE FUNCTION mediabase.music_payouts_dividend_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    -- the transition table read on its own, per organization (on Citus this runs on a shard, where
    -- it cannot be joined with a distributed table)
    FOR g IN SELECT n.organization_id AS org, array_agg(DISTINCT n.dividend_id) AS dividends
               FROM changed n GROUP BY n.organization_id LOOP
        UPDATE music_dividends d SET status = 'paid', paid_at = now()
         WHERE d.organization_id = g.org AND d.id = ANY (g.dividends) AND d.status <> 'paid'
           AND NOT EXISTS (SELECT FROM music_payouts p
                            WHERE p.organization_id = g.org AND p.dividend_id = d.id AND p.status <> 'paid');
        UPDATE music_dividends d SET status = 'paying'
         WHERE d.organization_id = g.org AND d.id = ANY (g.dividends) AND d.status = 'computed';
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER music_payouts_dividend_status AFTER UPDATE ON music_payouts
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION music_payouts_dividend_status();

-- At commit, a dividend's payouts and remainder add up to its distributable amount, to the unit.
CREATE FUNCTION mediabase.music_dividends_check_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    paid  numeric;
    n     bigint;
    total numeric;
BEGIN
    SELECT coalesce(sum(p.amount), 0), count(*), coalesce(sum(p.holding), 0) INTO paid, n, total
      FROM music_payouts p WHERE p.organization_id = NEW.organization_id AND p.dividend_id = NEW.id;
    IF paid + NEW.remainder <> NEW.distributable OR n <> NEW.holders OR total <> NEW.total_holding THEN
        RAISE EXCEPTION 'dividend %: payouts % + remainder % <> distributable % (% payouts for % holders)',
                        NEW.id, paid, NEW.remainder, NEW.distributable, n, NEW.holders
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_exact',
                  DETAIL = 'constraint "music_dividends_exact"';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER music_dividends_exact AFTER INSERT ON music_dividends
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION music_dividends_check_exact();

-- -- the distribution ------------------------------------------------------------------------------

-- Distributes a master's revenue of [period_start, period_end) in one currency to the holders of
-- its share asset at the record point (record_at, or record_chain_id + record_block), in the
-- current tenant. A dividend of that period exists already: it is returned (created = false) when
-- its record point is the same, refused otherwise. The payouts and the dividend are ONE statement:
-- each holder gets floor(D·h/H), and the D − Σ floor units left go one each to the largest
-- fractional parts (D·h mod H), ties by account id; every division is numeric div/mod, exact.
CREATE FUNCTION mediabase.music_distribute_dividend(
    master          uuid,
    period_start    date,
    period_end      date,
    currency        char(3),
    record_at       timestamptz DEFAULT NULL,
    record_chain_id bigint DEFAULT NULL,
    record_block    bigint DEFAULT NULL
) RETURNS TABLE (dividend_id uuid, created boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    org      uuid := current_org_id();
    actor    uuid := current_user_id();
    existing record;
    asset    uuid;
    revenue  numeric;
    contract uuid;
    bps      integer := 10000;
    d        numeric;
    div_id   uuid := new_id();
    paid     numeric;
    n        integer;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF num_nonnulls(record_at, record_block) <> 1 OR (record_chain_id IS NULL) <> (record_block IS NULL) THEN
        RAISE EXCEPTION 'a dividend has one record point: an instant, or a chain and a block'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_record_point';
    END IF;
    IF record_at > statement_timestamp() THEN
        RAISE EXCEPTION 'the record point % is in the future: holdings there are not known yet', record_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_record_past', COLUMN = 'record_at';
    END IF;
    -- one distribution of a master at a time, and no revenue import of it meanwhile
    PERFORM FROM music_masters m WHERE m.organization_id = org AND m.id = master FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'master % does not exist', master
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_dividends_master_fk';
    END IF;
    SELECT x.id, x.record_at, x.record_chain_id, x.record_block INTO existing FROM music_dividends x
     WHERE x.organization_id = org AND x.master_id = master AND x.currency = music_distribute_dividend.currency
       AND x.period_start = music_distribute_dividend.period_start AND x.period_end = music_distribute_dividend.period_end;
    IF FOUND THEN
        IF existing.record_at IS DISTINCT FROM music_distribute_dividend.record_at
           OR existing.record_chain_id IS DISTINCT FROM music_distribute_dividend.record_chain_id
           OR existing.record_block IS DISTINCT FROM music_distribute_dividend.record_block THEN
            RAISE EXCEPTION 'this period was distributed already at another record point (dividend %)', existing.id
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'music_dividends_period_key';
        END IF;
        RETURN QUERY SELECT existing.id, false;
        RETURN;
    END IF;
    SELECT a.id INTO asset FROM music_assets a
     WHERE a.organization_id = org AND a.master_id = master AND a.kind = 'master_share';
    IF asset IS NULL THEN
        RAISE EXCEPTION 'master % has no share asset: nobody holds it', master
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_share_asset';
    END IF;
    SELECT sum(e.amount) INTO revenue FROM music_revenue_events e
     WHERE e.organization_id = org AND e.master_id = master AND e.currency = music_distribute_dividend.currency
       AND e.period_start >= music_distribute_dividend.period_start AND e.period_start < music_distribute_dividend.period_end;
    IF revenue IS NULL THEN
        RAISE EXCEPTION 'master % has no % revenue in % to %', master, currency, period_start, period_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_revenue_positive';
    END IF;
    SELECT c.id, coalesce((SELECT sum(s.bps) FROM music_contract_splits s
                            WHERE s.organization_id = org AND s.contract_id = c.id AND s.party = 'investors'), 0)
      INTO contract, bps
      FROM music_contracts c
     WHERE c.organization_id = org AND c.master_id = master AND c.status = 'signed';
    IF contract IS NULL THEN
        bps := 10000;
    END IF;
    d := div(revenue * bps, 10000);
    IF d = 0 THEN
        RAISE EXCEPTION 'nothing to distribute: the investors'' share (% bps) of % % is below one unit', bps, revenue, currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_distributable_positive';
    END IF;

    -- Two statements: the dividend, then every payout. (One statement, payouts in a CTE, is what a
    -- single server runs fastest, but on Citus the CTE runs first as a statement of its own, and
    -- the payouts' foreign key to their dividend is checked on the shard before the dividend
    -- exists.) The holders at the record point are the body of music_holdings_at /
    -- music_holdings_at_block (0028) written out, so the planner sees each whole statement; the
    -- first reads only their count and sum. Largest remainder gives every unit away when there is
    -- a holder, so the remainder is 0 then and the whole amount when nobody holds the asset.
    WITH h AS (
        SELECT l.account_id, sum(l.amount) AS quantity
                  FROM music_journal_lines l
                  JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
                 WHERE l.organization_id = org AND a.organization_id = org AND l.asset_id = asset
                   AND a.kind <> 'issuance'
                   AND (music_distribute_dividend.record_block IS NOT NULL
                        OR l.effective_at <= music_distribute_dividend.record_at)
                   AND (music_distribute_dividend.record_block IS NULL
                        OR (l.block_number <= music_distribute_dividend.record_block
                            AND EXISTS (SELECT FROM music_journal_entries e
                                         WHERE e.organization_id = org AND e.id = l.entry_id
                                           AND e.chain_id = music_distribute_dividend.record_chain_id)))
                 GROUP BY l.account_id
                HAVING sum(l.amount) > 0
    )
    INSERT INTO music_dividends (organization_id, id, master_id, asset_id, period_start, period_end, currency,
                                 record_at, record_chain_id, record_block, revenue, investors_bps, contract_id,
                                 distributable, remainder, holders, total_holding, created_by)
    SELECT org, div_id, master, asset, music_distribute_dividend.period_start, music_distribute_dividend.period_end,
           music_distribute_dividend.currency, music_distribute_dividend.record_at,
           music_distribute_dividend.record_chain_id, music_distribute_dividend.record_block, revenue, bps, contract,
           d, CASE WHEN count(*) = 0 THEN d ELSE 0 END, count(*), coalesce(sum(h.quantity), 0), actor
      FROM h
    RETURNING holders INTO n;

    -- Where 100,000 payouts spend their time (bench/RESULTS.md, "Music dividends"): about half in
    -- the two foreign-key checks PostgreSQL runs per inserted payout (dividend, account), the
    -- rest in the holdings aggregate, the sort by fractional part and the insert with its two
    -- indexes. Per holder, D·h is computed once (h) and divided once (q, kept a subquery by
    -- OFFSET 0 so that base is not recomputed inside frac); frac = D·h − base·H is mod(D·h, H)
    -- (all positive). The payouts are inserted in account order: both indexes of music_payouts
    -- lead with (organization_id, dividend_id | account_id), so the inserts walk them in order.
    WITH h AS (
        SELECT x.account_id, x.quantity, d * x.quantity AS dq, sum(x.quantity) OVER () AS total
          FROM (SELECT l.account_id, sum(l.amount) AS quantity
                  FROM music_journal_lines l
                  JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
                 WHERE l.organization_id = org AND a.organization_id = org AND l.asset_id = asset
                   AND a.kind <> 'issuance'
                   AND (music_distribute_dividend.record_block IS NOT NULL
                        OR l.effective_at <= music_distribute_dividend.record_at)
                   AND (music_distribute_dividend.record_block IS NULL
                        OR (l.block_number <= music_distribute_dividend.record_block
                            AND EXISTS (SELECT FROM music_journal_entries e
                                         WHERE e.organization_id = org AND e.id = l.entry_id
                                           AND e.chain_id = music_distribute_dividend.record_chain_id)))
                 GROUP BY l.account_id
                HAVING sum(l.amount) > 0) x
    ), q AS (
        SELECT h.account_id, h.quantity, h.dq, h.total, div(h.dq, h.total) AS base
          FROM h
        OFFSET 0
    ), alloc AS (
        SELECT q.account_id, q.quantity,
               q.base + CASE WHEN row_number() OVER (ORDER BY q.dq - q.base * q.total DESC, q.account_id)
                                  <= d - sum(q.base) OVER () THEN 1 ELSE 0 END AS amount
          FROM q
    ), payouts AS (
        INSERT INTO music_payouts (organization_id, dividend_id, account_id, currency, holding, amount)
        SELECT org, div_id, a.account_id, music_distribute_dividend.currency, a.quantity, a.amount
          FROM alloc a
         ORDER BY a.account_id
        RETURNING amount
    )
    SELECT coalesce(sum(p.amount), 0) INTO paid FROM payouts p;

    -- the deferred trigger music_dividends_exact checks the sum again from the table at commit
    IF n > 0 AND paid <> d THEN
        RAISE EXCEPTION 'the distribution paid % of % among % holders', paid, d, n
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_exact';
    END IF;
    RETURN QUERY SELECT div_id, true;
END
$$;

-- -- tenancy, privileges, audit --------------------------------------------------------------------

SELECT make_tenant_table(format('mediabase.%I', t)::regclass)
  FROM unnest(ARRAY['music_revenue_events', 'music_dividends', 'music_payouts']) AS t;
-- revenue events are append-only; dividends and payouts are written by the functions above only
REVOKE UPDATE, DELETE, TRUNCATE ON music_revenue_events FROM mediabase_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON music_dividends FROM mediabase_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON music_payouts FROM mediabase_app;
GRANT UPDATE (status, paid_at, failed_at, external_ref, failure_reason) ON music_payouts TO mediabase_app;

SELECT audit_table('music_revenue_events');
SELECT audit_table('music_dividends');
-- a payout's insert is recorded by its dividend's audit row (100,000 payouts are one distribution);
-- every change of its status is audited
CREATE TRIGGER zz_audit_upd AFTER UPDATE ON music_payouts
    FOR EACH ROW EXECUTE FUNCTION audit_row('{}', '{}', '{}');
