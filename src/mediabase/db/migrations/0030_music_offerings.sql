-- 0030_music_offerings: what is offered on the ownership ledger of 0028 (docs/music-ledger.md).
--
--   music_ipos                 a master's share offering: supply fixed at issue, a price with its
--                              currency, a window, a status lifecycle; at most one open per master
--   music_ipo_allocations      shares sold: each one a journal entry treasury -> buyer
--   music_coins                an artist's coin: a ledger asset of kind 'coin'
--   music_liquidity_snapshots  a pool's reserves of a coin and a quote token at an instant, and the
--                              price they imply (a generated column)
--
-- Every movement of shares or coins is a journal entry of 0028 (lines summing to zero per asset;
-- balances maintained and never negative). The triggers here post those entries themselves, as
-- SECURITY DEFINER functions, so an IPO cannot exist without its minted supply, and an allocation
-- without the entry that moved its shares: the application inserts the IPO or the allocation
-- row, and the database does the rest in the same statement. Columns the triggers maintain
-- (treasury_account_id, issue_entry_id, allocated, cancel_entry_id, entry_id, coin_decimals) are
-- overwritten on INSERT whatever the caller sent, and the application role cannot UPDATE them.

-- -- IPOs ---------------------------------------------------------------------------------------

CREATE TABLE music_ipos (
    organization_id     uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                  uuid NOT NULL DEFAULT new_id(),
    master_id           uuid NOT NULL,
    asset_id            uuid NOT NULL,  -- the master's share asset (kind 'master_share')
    treasury_account_id uuid NOT NULL,  -- a 'treasury' account of this IPO alone (set on INSERT)
    total_supply        numeric(78,0) NOT NULL CONSTRAINT music_ipos_total_supply_positive CHECK (total_supply > 0),
    price               numeric(38,18) NOT NULL CONSTRAINT music_ipos_price_positive CHECK (price > 0),
    currency            char(3) NOT NULL CONSTRAINT music_ipos_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    opens_at            timestamptz NOT NULL,
    closes_at           timestamptz NOT NULL,
    status              text NOT NULL DEFAULT 'scheduled'
        CONSTRAINT music_ipos_status_valid CHECK (status IN ('scheduled', 'open', 'closed', 'canceled')),
    allocated           numeric(78,0) NOT NULL DEFAULT 0
        CONSTRAINT music_ipos_allocated_nonnegative CHECK (allocated >= 0),
    issue_entry_id      uuid NOT NULL,  -- the mint of total_supply to the treasury (set on INSERT)
    cancel_entry_id     uuid,           -- the burn of the supply when canceled
    created_by          uuid REFERENCES users ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_ipos_window CHECK (opens_at < closes_at),
    CONSTRAINT music_ipos_allocated_within_supply CHECK (allocated <= total_supply),
    CONSTRAINT music_ipos_canceled_unallocated CHECK (status <> 'canceled' OR allocated = 0),
    CONSTRAINT music_ipos_treasury_key UNIQUE (organization_id, treasury_account_id),
    CONSTRAINT music_ipos_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id),
    CONSTRAINT music_ipos_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_ipos_treasury_fk FOREIGN KEY (organization_id, treasury_account_id)
        REFERENCES music_accounts (organization_id, id),
    CONSTRAINT music_ipos_issue_entry_fk FOREIGN KEY (organization_id, issue_entry_id)
        REFERENCES music_journal_entries (organization_id, id),
    CONSTRAINT music_ipos_cancel_entry_fk FOREIGN KEY (organization_id, cancel_entry_id)
        REFERENCES music_journal_entries (organization_id, id)
);
SELECT declare_table('music_ipos', 'distributed');
-- at most one open IPO per master
CREATE UNIQUE INDEX music_ipos_one_open ON music_ipos (organization_id, master_id) WHERE status = 'open';
CREATE INDEX music_ipos_master_idx ON music_ipos (organization_id, master_id, created_at DESC);
CREATE INDEX music_ipos_asset_idx ON music_ipos (organization_id, asset_id);
CREATE INDEX music_ipos_issue_entry_idx ON music_ipos (organization_id, issue_entry_id);
CREATE INDEX music_ipos_cancel_entry_idx ON music_ipos (organization_id, cancel_entry_id) WHERE cancel_entry_id IS NOT NULL;
CREATE INDEX music_ipos_created_by_idx ON music_ipos (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER music_ipos_touch BEFORE UPDATE ON music_ipos FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER music_ipos_status_transition BEFORE INSERT OR UPDATE OF status ON music_ipos
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>scheduled', '>open', 'scheduled>open', 'scheduled>canceled', 'open>closed', 'open>canceled');
CREATE TRIGGER music_ipos_immutable BEFORE UPDATE ON music_ipos
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'master_id', 'asset_id', 'treasury_account_id', 'total_supply', 'price', 'currency', 'issue_entry_id',
        'created_by', 'created_at');

-- One journal entry of lines (account, amount) for one asset, in ONE statement (0028's rule).
CREATE FUNCTION mediabase.music_post_entry(org uuid, entry_kind text, asset uuid, accounts uuid[],
                                           amounts numeric[], note text, actor uuid) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    entry uuid;
BEGIN
    INSERT INTO music_journal_entries (organization_id, kind, memo, created_by)
    VALUES (org, entry_kind, note, actor) RETURNING id INTO entry;
    INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)
    SELECT org, entry, l.n, asset, l.account, l.amount
      FROM unnest(accounts, amounts) WITH ORDINALITY AS l (account, amount, n);
    RETURN entry;
END
$$;
REVOKE ALL ON FUNCTION mediabase.music_post_entry(uuid, text, uuid, uuid[], numeric[], text, uuid) FROM PUBLIC;

-- Issue: the share asset must be the master's; a treasury account of the IPO's own is opened and
-- total_supply minted to it (one entry). The asset's CHECKs (minted <= max_supply for a fixed
-- supply) refuse an issue beyond what may exist.
CREATE FUNCTION mediabase.music_ipos_issue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    a record;
BEGIN
    SELECT kind, master_id INTO a FROM music_assets WHERE organization_id = NEW.organization_id AND id = NEW.asset_id;
    IF a IS NULL OR a.kind <> 'master_share' OR a.master_id IS DISTINCT FROM NEW.master_id THEN
        RAISE EXCEPTION 'the asset of an IPO is the share asset of its master'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipos_asset_of_master', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_ipos_asset_of_master"';
    END IF;
    NEW.allocated := 0;
    NEW.cancel_entry_id := NULL;
    INSERT INTO music_accounts (organization_id, kind, label)
    VALUES (NEW.organization_id, 'treasury', 'IPO ' || NEW.id) RETURNING id INTO NEW.treasury_account_id;
    NEW.issue_entry_id := music_post_entry(NEW.organization_id, 'mint', NEW.asset_id,
                                           ARRAY[music_issuance_account(), NEW.treasury_account_id],
                                           ARRAY[-NEW.total_supply, NEW.total_supply],
                                           'IPO ' || NEW.id || ': issue', NEW.created_by);
    RETURN NEW;
END
$$;
CREATE TRIGGER music_ipos_issue BEFORE INSERT ON music_ipos FOR EACH ROW EXECUTE FUNCTION music_ipos_issue();

-- The window moves only while scheduled; a cancel burns the (wholly unallocated) supply back.
CREATE FUNCTION mediabase.music_ipos_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF (NEW.opens_at, NEW.closes_at) IS DISTINCT FROM (OLD.opens_at, OLD.closes_at) AND OLD.status <> 'scheduled' THEN
        RAISE EXCEPTION 'an IPO''s window changes only while it is scheduled'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipos_window_fixed', COLUMN = 'opens_at',
                  DETAIL = 'constraint "music_ipos_window_fixed"';
    END IF;
    IF NEW.status = 'canceled' AND OLD.status <> 'canceled' AND OLD.allocated = 0 THEN
        NEW.cancel_entry_id := music_post_entry(NEW.organization_id, 'burn', NEW.asset_id,
                                                ARRAY[NEW.treasury_account_id, music_issuance_account()],
                                                ARRAY[-NEW.total_supply, NEW.total_supply],
                                                'IPO ' || NEW.id || ': canceled', current_user_id());
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_ipos_change BEFORE UPDATE ON music_ipos FOR EACH ROW EXECUTE FUNCTION music_ipos_change();

CREATE TABLE music_ipo_allocations (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    ipo_id          uuid NOT NULL,
    account_id      uuid NOT NULL,  -- the buyer's account (a user's or an address's)
    quantity        numeric(78,0) NOT NULL CONSTRAINT music_ipo_allocations_quantity_positive CHECK (quantity > 0),
    entry_id        uuid NOT NULL,  -- the journal entry treasury -> buyer (set on INSERT)
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_ipo_allocations_entry_key UNIQUE (organization_id, entry_id),
    CONSTRAINT music_ipo_allocations_ipo_fk FOREIGN KEY (organization_id, ipo_id)
        REFERENCES music_ipos (organization_id, id),
    CONSTRAINT music_ipo_allocations_account_fk FOREIGN KEY (organization_id, account_id)
        REFERENCES music_accounts (organization_id, id),
    CONSTRAINT music_ipo_allocations_entry_fk FOREIGN KEY (organization_id, entry_id)
        REFERENCES music_journal_entries (organization_id, id)
);
SELECT declare_table('music_ipo_allocations', 'distributed');
CREATE INDEX music_ipo_allocations_ipo_idx ON music_ipo_allocations (organization_id, ipo_id, created_at);
CREATE INDEX music_ipo_allocations_account_idx ON music_ipo_allocations (organization_id, account_id);
CREATE INDEX music_ipo_allocations_created_by_idx ON music_ipo_allocations (created_by) WHERE created_by IS NOT NULL;

-- An allocation: under the IPO's row lock (concurrent allocations take turns), only while it is
-- open (status and window), counted in allocated (CHECK allocated <= total_supply) and moved
-- treasury -> buyer by one journal entry (the treasury's balance cannot go negative either).
CREATE FUNCTION mediabase.music_ipo_allocations_post() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    ipo  record;
    kind text;
BEGIN
    SELECT i.status, i.opens_at, i.closes_at, i.asset_id, i.treasury_account_id INTO ipo
      FROM music_ipos i WHERE i.organization_id = NEW.organization_id AND i.id = NEW.ipo_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such IPO' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'music_ipo_allocations_ipo_fk', DETAIL = 'constraint "music_ipo_allocations_ipo_fk"';
    END IF;
    SELECT a.kind INTO kind FROM music_accounts a WHERE a.organization_id = NEW.organization_id AND a.id = NEW.account_id;
    IF kind IN ('issuance', 'treasury') THEN
        RAISE EXCEPTION 'shares are allocated to a buyer''s account, not to an issuance or treasury account'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipo_allocations_buyer', COLUMN = 'account_id',
                  DETAIL = 'constraint "music_ipo_allocations_buyer"';
    END IF;
    IF ipo.status <> 'open' OR statement_timestamp() < ipo.opens_at OR statement_timestamp() >= ipo.closes_at THEN
        RAISE EXCEPTION 'the IPO is not open (status %, window % to %)', ipo.status, ipo.opens_at, ipo.closes_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipo_allocations_while_open', COLUMN = 'ipo_id',
                  DETAIL = 'constraint "music_ipo_allocations_while_open"';
    END IF;
    UPDATE music_ipos SET allocated = allocated + NEW.quantity
     WHERE organization_id = NEW.organization_id AND id = NEW.ipo_id;
    NEW.entry_id := music_post_entry(NEW.organization_id, 'allocation', ipo.asset_id,
                                     ARRAY[ipo.treasury_account_id, NEW.account_id],
                                     ARRAY[-NEW.quantity, NEW.quantity],
                                     'IPO ' || NEW.ipo_id || ': allocation', NEW.created_by);
    RETURN NEW;
END
$$;
CREATE TRIGGER music_ipo_allocations_post BEFORE INSERT ON music_ipo_allocations
    FOR EACH ROW EXECUTE FUNCTION music_ipo_allocations_post();

-- -- artist coins and liquidity ---------------------------------------------------------------------

CREATE TABLE music_coins (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    artist_id       uuid NOT NULL,
    asset_id        uuid NOT NULL,  -- the ledger asset (kind 'coin', the same artist)
    name            text NOT NULL CONSTRAINT music_coins_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    description     text CONSTRAINT music_coins_description_length CHECK (length(description) <= 5000),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_coins_asset_key UNIQUE (organization_id, asset_id),
    CONSTRAINT music_coins_artist_fk FOREIGN KEY (organization_id, artist_id)
        REFERENCES music_artists (organization_id, id),
    CONSTRAINT music_coins_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id)
);
SELECT declare_table('music_coins', 'distributed');
CREATE INDEX music_coins_artist_idx ON music_coins (organization_id, artist_id);
CREATE INDEX music_coins_created_by_idx ON music_coins (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER music_coins_touch BEFORE UPDATE ON music_coins FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER music_coins_immutable BEFORE UPDATE ON music_coins
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('artist_id', 'asset_id', 'created_by', 'created_at');

CREATE FUNCTION mediabase.music_coins_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    a record;
BEGIN
    SELECT kind, artist_id INTO a FROM music_assets WHERE organization_id = NEW.organization_id AND id = NEW.asset_id;
    IF FOUND AND (a.kind <> 'coin' OR a.artist_id IS DISTINCT FROM NEW.artist_id) THEN
        RAISE EXCEPTION 'a coin''s asset is of kind coin and of the coin''s artist'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_coins_asset_is_coin', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_coins_asset_is_coin"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_coins_check BEFORE INSERT ON music_coins FOR EACH ROW EXECUTE FUNCTION music_coins_check();

-- A pool's reserves at an instant. price = the quote per whole coin: reserve_quote / reserve_coin
-- scaled by the two tokens' decimals (coin_decimals copied from the coin's asset on INSERT),
-- rounded to 18 places; NULL for an empty pool. Append-only (a correction is a later snapshot).
CREATE TABLE music_liquidity_snapshots (
    organization_id uuid NOT NULL,
    coin_id         uuid NOT NULL,
    pool            text NOT NULL  -- a pool's identifier, e.g. its chain address as lowercase hex
        CONSTRAINT music_liquidity_snapshots_pool_format CHECK (pool ~ '^[a-z0-9][a-z0-9:._-]{0,199}$'),
    observed_at     timestamptz NOT NULL,
    reserve_coin    numeric(78,0) NOT NULL
        CONSTRAINT music_liquidity_snapshots_reserve_coin_nonnegative CHECK (reserve_coin >= 0),
    reserve_quote   numeric(78,0) NOT NULL
        CONSTRAINT music_liquidity_snapshots_reserve_quote_nonnegative CHECK (reserve_quote >= 0),
    quote_symbol    text NOT NULL
        CONSTRAINT music_liquidity_snapshots_quote_symbol_format CHECK (quote_symbol ~ '^[A-Z][A-Z0-9]{1,10}$'),
    quote_decimals  smallint NOT NULL DEFAULT 18
        CONSTRAINT music_liquidity_snapshots_quote_decimals_range CHECK (quote_decimals BETWEEN 0 AND 18),
    coin_decimals   smallint NOT NULL DEFAULT 0,
    price           numeric GENERATED ALWAYS AS (
        CASE WHEN reserve_coin > 0
             THEN round(reserve_quote * power(10::numeric, (coin_decimals - quote_decimals)::numeric) / reserve_coin, 18)
        END) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, coin_id, pool, observed_at),
    CONSTRAINT music_liquidity_snapshots_coin_fk FOREIGN KEY (organization_id, coin_id)
        REFERENCES music_coins (organization_id, id)
);
SELECT declare_table('music_liquidity_snapshots', 'distributed');
-- a coin's price series over a window, all pools (the PK serves one pool's, and the latest per pool)
CREATE INDEX music_liquidity_snapshots_time_idx ON music_liquidity_snapshots (organization_id, coin_id, observed_at);

CREATE FUNCTION mediabase.music_liquidity_snapshots_decimals() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    SELECT a.decimals INTO NEW.coin_decimals
      FROM music_coins c JOIN music_assets a ON a.organization_id = c.organization_id AND a.id = c.asset_id
     WHERE c.organization_id = NEW.organization_id AND c.id = NEW.coin_id;
    NEW.coin_decimals := coalesce(NEW.coin_decimals, 0);  -- no such coin: the foreign key refuses it
    RETURN NEW;
END
$$;
CREATE TRIGGER music_liquidity_snapshots_decimals BEFORE INSERT ON music_liquidity_snapshots
    FOR EACH ROW EXECUTE FUNCTION music_liquidity_snapshots_decimals();

-- -- tenancy, privileges, audit ---------------------------------------------------------------------

SELECT make_tenant_table(t::regclass)
  FROM unnest(ARRAY['music_ipos', 'music_ipo_allocations', 'music_coins', 'music_liquidity_snapshots']) AS t;
REVOKE UPDATE, DELETE, TRUNCATE ON music_ipos, music_ipo_allocations, music_coins, music_liquidity_snapshots
    FROM mediabase_app;
GRANT UPDATE (status, opens_at, closes_at) ON music_ipos TO mediabase_app;
GRANT UPDATE (name, description) ON music_coins TO mediabase_app;

SELECT audit_table('music_ipos', '{}', '{allocated}');
SELECT audit_table(t::regclass) FROM unnest(ARRAY['music_ipo_allocations', 'music_coins']) AS t;
