-- 0028_music_core: the spine of the music-rights marketplace of seed 004 (docs/music.md): the
-- catalog every other part points at, and the double-entry ownership ledger.
--
--   music_artists, music_producers   profiles: of a user, or of a person without an account
--   music_masters                    a recorded work; its audio is a videos row (transcripts/lyrics,
--                                    search), its status moves draft → review → published → archived
--   music_assets                     what the ledger counts: a master's shares, an artist's coin
--   music_accounts                   who holds: a user, a chain address, a treasury, a pool, and the
--                                    one issuance account per organization
--   music_journal_entries            every movement of shares or coins, append-only
--   music_journal_lines              its legs: per entry and asset they sum to zero
--   music_balances                   derived: Σ lines per (asset, account), the issuance account left out
--
-- Double entry. A mint is an entry with a line −x on the issuance account and +x on the holder; a
-- burn the reverse. The issuance account is the only one whose position may be negative, so it has
-- no music_balances row at all: its lines move music_assets.minted and .burned instead. Every other
-- balance is ≥ 0 (a CHECK), so for every asset Σ music_balances = minted − burned (conservation)
-- follows from "every entry sums to zero per asset", which a statement-level trigger enforces on
-- each INSERT of lines. Corrections are new entries: the application role has no UPDATE, DELETE or
-- TRUNCATE on the journal. music_verify_ledger() recomputes everything derived from the journal.
--
-- Tenancy as everywhere (DESIGN.md 5): organization_id leads every key, references are composite,
-- RLS by mediabase.current_org_id() without a subquery, every table distributed (colocated), and the
-- triggers touch only their own organization's rows.

-- -- catalog --------------------------------------------------------------------------------------

CREATE FUNCTION mediabase.music_slug_valid(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN s ~ '^[a-z0-9][a-z0-9-]{0,99}$';

CREATE TABLE music_artists (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    -- the artist's own account, when they have one (a profile may stand for someone without one)
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    name            text NOT NULL CONSTRAINT music_artists_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug            text NOT NULL CONSTRAINT music_artists_slug_format CHECK (music_slug_valid(slug)),
    bio             text CONSTRAINT music_artists_bio_length CHECK (length(bio) <= 10000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_artists_slug_key UNIQUE (organization_id, slug)
);
SELECT declare_table('music_artists', 'distributed');
CREATE INDEX music_artists_user_idx ON music_artists (user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER music_artists_touch BEFORE UPDATE ON music_artists FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE music_producers (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    name            text NOT NULL CONSTRAINT music_producers_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug            text NOT NULL CONSTRAINT music_producers_slug_format CHECK (music_slug_valid(slug)),
    bio             text CONSTRAINT music_producers_bio_length CHECK (length(bio) <= 10000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_producers_slug_key UNIQUE (organization_id, slug)
);
SELECT declare_table('music_producers', 'distributed');
CREATE INDEX music_producers_user_idx ON music_producers (user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER music_producers_touch BEFORE UPDATE ON music_producers FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE music_masters (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    artist_id       uuid NOT NULL,
    title           text NOT NULL CONSTRAINT music_masters_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    master_type     text NOT NULL DEFAULT 'single'
        CONSTRAINT music_masters_type_valid CHECK (master_type IN ('single', 'album', 'ep', 'track', 'stem', 'remix')),
    status          text NOT NULL DEFAULT 'draft'
        CONSTRAINT music_masters_status_valid CHECK (status IN ('draft', 'review', 'published', 'archived')),
    -- International Standard Recording Code: CC-XXX-YY-NNNNN without the dashes
    isrc            text CONSTRAINT music_masters_isrc_format CHECK (isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'),
    duration_ms     integer CONSTRAINT music_masters_duration_positive CHECK (duration_ms > 0),
    -- the audio asset: a videos row, so its transcript (lyrics), speakers and search apply
    video_id        uuid,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    released_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_masters_artist_fk FOREIGN KEY (organization_id, artist_id)
        REFERENCES music_artists (organization_id, id),
    CONSTRAINT music_masters_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id),
    CONSTRAINT music_masters_released_when_published CHECK (released_at IS NULL OR status IN ('published', 'archived'))
);
SELECT declare_table('music_masters', 'distributed');
CREATE INDEX music_masters_artist_idx ON music_masters (organization_id, artist_id, created_at DESC);
CREATE UNIQUE INDEX music_masters_isrc_key ON music_masters (organization_id, isrc) WHERE isrc IS NOT NULL;
-- one master per audio asset
CREATE UNIQUE INDEX music_masters_video_key ON music_masters (organization_id, video_id) WHERE video_id IS NOT NULL;
CREATE INDEX music_masters_status_idx ON music_masters (organization_id, status, created_at DESC);
CREATE INDEX music_masters_created_by_idx ON music_masters (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER music_masters_touch BEFORE UPDATE ON music_masters FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER music_masters_status_transition BEFORE INSERT OR UPDATE OF status ON music_masters
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>draft', 'draft>review', 'review>draft', 'review>published', 'published>archived', 'draft>archived');
CREATE TRIGGER music_masters_immutable BEFORE UPDATE ON music_masters
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('artist_id', 'created_by', 'created_at');

-- -- the ledger -----------------------------------------------------------------------------------

CREATE TABLE music_assets (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    kind            text NOT NULL CONSTRAINT music_assets_kind_valid CHECK (kind IN ('master_share', 'coin')),
    master_id       uuid,
    artist_id       uuid,
    symbol          text NOT NULL CONSTRAINT music_assets_symbol_format CHECK (symbol ~ '^[A-Z][A-Z0-9]{1,10}$'),
    name            text NOT NULL CONSTRAINT music_assets_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- display only: amounts are integers of the smallest unit (10^-decimals of a whole token)
    decimals        smallint NOT NULL DEFAULT 0 CONSTRAINT music_assets_decimals_range CHECK (decimals BETWEEN 0 AND 18),
    supply_policy   text NOT NULL DEFAULT 'fixed'
        CONSTRAINT music_assets_supply_policy_valid CHECK (supply_policy IN ('fixed', 'mintable')),
    max_supply      numeric(78, 0) CONSTRAINT music_assets_max_supply_positive CHECK (max_supply > 0),
    -- written by the journal's trigger only: Σ of the issuance account's lines, split by sign
    minted          numeric(78, 0) NOT NULL DEFAULT 0,
    burned          numeric(78, 0) NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_assets_symbol_key UNIQUE (organization_id, symbol),
    CONSTRAINT music_assets_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id),
    CONSTRAINT music_assets_artist_fk FOREIGN KEY (organization_id, artist_id)
        REFERENCES music_artists (organization_id, id),
    CONSTRAINT music_assets_share_has_master CHECK ((kind = 'master_share') = (master_id IS NOT NULL)),
    CONSTRAINT music_assets_fixed_has_cap CHECK (supply_policy <> 'fixed' OR max_supply IS NOT NULL),
    CONSTRAINT music_assets_supply_counts CHECK (minted >= 0 AND burned >= 0 AND burned <= minted),
    CONSTRAINT music_assets_supply_cap CHECK (max_supply IS NULL OR minted <= max_supply)
);
SELECT declare_table('music_assets', 'distributed');
-- one share asset per master
CREATE UNIQUE INDEX music_assets_master_key ON music_assets (organization_id, master_id) WHERE master_id IS NOT NULL;
CREATE INDEX music_assets_artist_idx ON music_assets (organization_id, artist_id) WHERE artist_id IS NOT NULL;
CREATE TRIGGER music_assets_immutable BEFORE UPDATE ON music_assets
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('kind', 'master_id', 'decimals', 'supply_policy', 'created_at');

CREATE TABLE music_accounts (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    kind            text NOT NULL
        CONSTRAINT music_accounts_kind_valid CHECK (kind IN ('issuance', 'treasury', 'user', 'address', 'pool')),
    user_id         uuid REFERENCES users ON DELETE RESTRICT,
    -- an EVM address: 20 bytes, shown as lowercase 0x-hex
    address         bytea CONSTRAINT music_accounts_address_length CHECK (length(address) = 20),
    label           text CONSTRAINT music_accounts_label_length CHECK (length(label) <= 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_accounts_user_iff_user_kind CHECK ((kind = 'user') = (user_id IS NOT NULL)),
    CONSTRAINT music_accounts_address_iff_address_kind CHECK ((kind = 'address') = (address IS NOT NULL))
);
SELECT declare_table('music_accounts', 'distributed');
CREATE UNIQUE INDEX music_accounts_user_key ON music_accounts (organization_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX music_accounts_address_key ON music_accounts (organization_id, address) WHERE address IS NOT NULL;
CREATE UNIQUE INDEX music_accounts_issuance_key ON music_accounts (organization_id) WHERE kind = 'issuance';
CREATE INDEX music_accounts_user_idx ON music_accounts (user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER music_accounts_immutable BEFORE UPDATE ON music_accounts
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('kind', 'user_id', 'address', 'created_at');

CREATE TABLE music_journal_entries (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    kind            text NOT NULL CONSTRAINT music_journal_entries_kind_valid
        CHECK (kind IN ('mint', 'burn', 'transfer', 'allocation', 'chain', 'correction', 'reversal')),
    -- when the movement counts for holdings at a record point (a chain posting: its block's time)
    effective_at    timestamptz NOT NULL DEFAULT now(),
    chain_id        bigint,
    block_number    bigint CONSTRAINT music_journal_entries_block_nonnegative CHECK (block_number >= 0),
    memo            text CONSTRAINT music_journal_entries_memo_length CHECK (length(memo) <= 2000),
    reverses_id     uuid,
    idempotency_key text CONSTRAINT music_journal_entries_idempotency_key_length
        CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    created_by      uuid REFERENCES users ON DELETE RESTRICT,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_journal_entries_idempotency_key UNIQUE (organization_id, idempotency_key),
    -- an entry is reversed at most once
    CONSTRAINT music_journal_entries_reverses_key UNIQUE (organization_id, reverses_id),
    CONSTRAINT music_journal_entries_reverses_fk FOREIGN KEY (organization_id, reverses_id)
        REFERENCES music_journal_entries (organization_id, id),
    CONSTRAINT music_journal_entries_reversal_names_entry CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
    CONSTRAINT music_journal_entries_block_with_chain CHECK ((chain_id IS NULL) = (block_number IS NULL))
);
SELECT declare_table('music_journal_entries', 'distributed');
CREATE INDEX music_journal_entries_time_idx ON music_journal_entries (organization_id, effective_at DESC, id DESC);
CREATE INDEX music_journal_entries_created_by_idx ON music_journal_entries (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE music_journal_lines (
    organization_id uuid NOT NULL,
    entry_id        uuid NOT NULL,
    line_no         smallint NOT NULL CONSTRAINT music_journal_lines_line_no_positive CHECK (line_no >= 1),
    asset_id        uuid NOT NULL,
    account_id      uuid NOT NULL,
    amount          numeric(78, 0) NOT NULL CONSTRAINT music_journal_lines_amount_nonzero CHECK (amount <> 0),
    -- copied from the entry (BEFORE INSERT), so holdings at a record point read the lines alone
    effective_at    timestamptz NOT NULL DEFAULT now(),
    block_number    bigint,
    PRIMARY KEY (organization_id, entry_id, line_no),
    CONSTRAINT music_journal_lines_entry_fk FOREIGN KEY (organization_id, entry_id)
        REFERENCES music_journal_entries (organization_id, id),
    CONSTRAINT music_journal_lines_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_journal_lines_account_fk FOREIGN KEY (organization_id, account_id)
        REFERENCES music_accounts (organization_id, id)
);
SELECT declare_table('music_journal_lines', 'distributed');
-- holdings of an asset at an instant or a block: one range scan per asset
CREATE INDEX music_journal_lines_asset_time_idx ON music_journal_lines (organization_id, asset_id, effective_at)
    INCLUDE (account_id, amount);
CREATE INDEX music_journal_lines_asset_block_idx ON music_journal_lines (organization_id, asset_id, block_number)
    INCLUDE (account_id, amount) WHERE block_number IS NOT NULL;
CREATE INDEX music_journal_lines_account_idx ON music_journal_lines (organization_id, account_id, asset_id);

CREATE TABLE music_balances (
    organization_id uuid NOT NULL,
    asset_id        uuid NOT NULL,
    account_id      uuid NOT NULL,
    balance         numeric(78, 0) NOT NULL CONSTRAINT music_balances_nonnegative CHECK (balance >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, asset_id, account_id),
    CONSTRAINT music_balances_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_balances_account_fk FOREIGN KEY (organization_id, account_id)
        REFERENCES music_accounts (organization_id, id)
);
SELECT declare_table('music_balances', 'distributed');
CREATE INDEX music_balances_account_idx ON music_balances (organization_id, account_id);
-- a cap table: the largest holders of an asset first
CREATE INDEX music_balances_holders_idx ON music_balances (organization_id, asset_id, balance DESC)
    WHERE balance > 0;

-- -- the journal's rules --------------------------------------------------------------------------

-- A line takes its entry's time and block (one index probe; the entry exists: its FK says so).
CREATE FUNCTION mediabase.music_journal_lines_stamp() RETURNS trigger
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
BEGIN
    SELECT e.effective_at, e.block_number INTO NEW.effective_at, NEW.block_number
      FROM music_journal_entries e WHERE e.organization_id = NEW.organization_id AND e.id = NEW.entry_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_journal_lines_stamp BEFORE INSERT ON music_journal_lines
    FOR EACH ROW EXECUTE FUNCTION music_journal_lines_stamp();

-- After each INSERT statement of lines: every entry it touched is whole (no lines of it existed
-- before), balanced per asset, and its effect lands on the balances and the supply counters in a
-- few set-based statements per organization (balances in key order, so concurrent postings lock
-- them in one order). Written for Citus too, where this runs on the shard: each statement names its
-- organization by a variable, and none correlates the transition table with a distributed table.
CREATE FUNCTION mediabase.music_journal_lines_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    bad   record;
    g     record;
    iss   uuid;
    existing bigint;
    assets   uuid[];
    accounts uuid[];
    deltas   numeric[];
    ts       timestamptz := now();
BEGIN
    SELECT n.entry_id, n.asset_id, sum(n.amount) AS total INTO bad
      FROM new_lines n GROUP BY n.organization_id, n.entry_id, n.asset_id HAVING sum(n.amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: its lines of asset % sum to %, not 0',
                        bad.entry_id, bad.asset_id, bad.total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_lines_balanced',
                  DETAIL = 'constraint "music_journal_lines_balanced"';
    END IF;
    -- the transition table is read here, locally, into arrays; the statements on the distributed
    -- tables read the arrays (Citus cannot ship a transition table to a shard)
    FOR g IN SELECT n.organization_id AS org, array_agg(DISTINCT n.entry_id) AS entries, count(*) AS lines
               FROM new_lines n GROUP BY n.organization_id LOOP
        SELECT count(*) INTO existing FROM music_journal_lines l
         WHERE l.organization_id = g.org AND l.entry_id = ANY (g.entries);
        IF existing <> g.lines THEN
            RAISE EXCEPTION 'a journal entry already had lines: an entry''s lines are written in one statement, once'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_lines_one_statement',
                      DETAIL = 'constraint "music_journal_lines_one_statement"';
        END IF;
        SELECT a.id INTO iss FROM music_accounts a WHERE a.organization_id = g.org AND a.kind = 'issuance';
        SELECT array_agg(d.asset_id ORDER BY d.asset_id, d.account_id), array_agg(d.account_id ORDER BY d.asset_id, d.account_id),
               array_agg(d.delta ORDER BY d.asset_id, d.account_id)
          INTO assets, accounts, deltas
          FROM (SELECT n.asset_id, n.account_id, sum(n.amount) AS delta
                  FROM new_lines n
                 WHERE n.organization_id = g.org AND n.account_id IS DISTINCT FROM iss
                 GROUP BY n.asset_id, n.account_id) d;
        IF assets IS NOT NULL THEN
            -- a row for every (asset, holder) first, then one UPDATE: a proposed row is checked
            -- before ON CONFLICT looks, so an upsert would refuse every debit of an existing balance
            INSERT INTO music_balances (organization_id, asset_id, account_id, balance, updated_at)
            SELECT g.org, u.asset_id, u.account_id, 0, ts FROM unnest(assets, accounts) AS u (asset_id, account_id)
                ON CONFLICT (organization_id, asset_id, account_id) DO NOTHING;
            UPDATE music_balances b
               SET balance = b.balance + u.delta, updated_at = ts
              FROM unnest(assets, accounts, deltas) AS u (asset_id, account_id, delta)
             WHERE b.organization_id = g.org AND b.asset_id = u.asset_id AND b.account_id = u.account_id;
        END IF;
        IF iss IS NOT NULL THEN
            FOR bad IN SELECT n.asset_id,
                              coalesce(sum(-n.amount) FILTER (WHERE n.amount < 0), 0) AS minted,
                              coalesce(sum(n.amount) FILTER (WHERE n.amount > 0), 0) AS burned
                         FROM new_lines n
                        WHERE n.organization_id = g.org AND n.account_id = iss
                        GROUP BY n.asset_id LOOP
                UPDATE music_assets s SET minted = s.minted + bad.minted, burned = s.burned + bad.burned
                 WHERE s.organization_id = g.org AND s.id = bad.asset_id;
            END LOOP;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER music_journal_lines_apply AFTER INSERT ON music_journal_lines
    REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION music_journal_lines_apply();

-- An entry without lines moves nothing and is refused at commit.
CREATE FUNCTION mediabase.music_journal_entries_have_lines() RETURNS trigger
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM music_journal_lines l
                    WHERE l.organization_id = NEW.organization_id AND l.entry_id = NEW.id) THEN
        RAISE EXCEPTION 'journal entry % has no lines', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_entries_have_lines',
                  DETAIL = 'constraint "music_journal_entries_have_lines"';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER music_journal_entries_have_lines AFTER INSERT ON music_journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION music_journal_entries_have_lines();

-- -- accounts and postings for the application ---------------------------------------------------

CREATE FUNCTION mediabase.music_require_tenant() RETURNS uuid
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := current_org_id();
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN org;
END
$$;

-- The organization's issuance account (created on first use; concurrent first uses agree).
CREATE FUNCTION mediabase.music_issuance_account() RETURNS uuid
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.kind = 'issuance';
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, label) VALUES (org, 'issuance', 'issuance')
            ON CONFLICT (organization_id) WHERE kind = 'issuance' DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.kind = 'issuance';
        END IF;
    END IF;
    RETURN acc;
END
$$;

CREATE FUNCTION mediabase.music_address_account(addr bytea) RETURNS uuid
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.address = addr;
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, address) VALUES (org, 'address', addr)
            ON CONFLICT (organization_id, address) WHERE address IS NOT NULL DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.address = addr;
        END IF;
    END IF;
    RETURN acc;
END
$$;

CREATE FUNCTION mediabase.music_user_account(uid uuid) RETURNS uuid
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.user_id = uid;
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, user_id) VALUES (org, 'user', uid)
            ON CONFLICT (organization_id, user_id) WHERE user_id IS NOT NULL DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.user_id = uid;
        END IF;
    END IF;
    RETURN acc;
END
$$;

-- A new entry that negates one (same assets and accounts, amounts negated, now). The journal
-- itself is never changed; an entry is reversed at most once (a unique key), and a reversal whose
-- holder has moved the amount on is refused by the balances' CHECK.
CREATE FUNCTION mediabase.music_reverse_entry(entry uuid, memo text DEFAULT NULL) RETURNS uuid
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    org uuid := music_require_tenant();
    e   record;
    rid uuid;
BEGIN
    SELECT * INTO e FROM music_journal_entries j WHERE j.organization_id = org AND j.id = entry;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no journal entry %', entry
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_journal_entries_reverses_fk';
    END IF;
    IF e.kind = 'reversal' THEN
        RAISE EXCEPTION 'entry % is itself a reversal; post a correction instead', entry
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_entries_reversal_of_reversal',
                  DETAIL = 'constraint "music_journal_entries_reversal_of_reversal"';
    END IF;
    INSERT INTO music_journal_entries (organization_id, kind, effective_at, chain_id, block_number, memo, reverses_id)
    VALUES (org, 'reversal', now(), e.chain_id, e.block_number,
            coalesce(music_reverse_entry.memo, format('reverses %s', entry)), entry)
    RETURNING id INTO rid;
    INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)
    SELECT org, rid, l.line_no, l.asset_id, l.account_id, -l.amount
      FROM music_journal_lines l WHERE l.organization_id = org AND l.entry_id = entry;
    RETURN rid;
END
$$;

-- -- reads: holdings at a record point, and the verifier -----------------------------------------

-- Who held how much of an asset at an instant (inclusive), from the journal alone.
CREATE FUNCTION mediabase.music_holdings_at(asset uuid, at timestamptz)
    RETURNS TABLE (account_id uuid, quantity numeric)
    -- PL/pgSQL, not SQL: Citus plans no parameterized SQL function over distributed tables
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    SELECT l.account_id, sum(l.amount)
      FROM music_journal_lines l
      JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
     WHERE l.organization_id = org AND a.organization_id = org
       AND l.asset_id = asset AND l.effective_at <= at AND a.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0;
END
$$;

-- The same at a block of a chain: the postings of blocks up to and including it. Only chain
-- postings carry a block; an asset moved off-chain too counts those by their time instead.
CREATE FUNCTION mediabase.music_holdings_at_block(asset uuid, chain bigint, block bigint)
    RETURNS TABLE (account_id uuid, quantity numeric)
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    SELECT l.account_id, sum(l.amount)
      FROM music_journal_lines l
      JOIN music_journal_entries e ON e.organization_id = l.organization_id AND e.id = l.entry_id
      JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
     WHERE l.organization_id = org AND e.organization_id = org AND a.organization_id = org
       AND l.asset_id = asset AND e.chain_id = chain AND l.block_number <= block AND a.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0;
END
$$;

-- Everything derived, recomputed from the journal for the current tenant: balances that differ
-- (or are missing, or negative), supply counters that differ, entries that do not balance, and
-- assets whose holdings do not sum to minted − burned. No rows: the ledger is consistent.
CREATE FUNCTION mediabase.music_verify_ledger()
    RETURNS TABLE (asset_id uuid, account_id uuid, problem text, expected numeric, actual numeric)
    LANGUAGE sql STABLE SET search_path = mediabase, pg_temp AS $$
    WITH org AS (SELECT current_org_id() AS id),
    folded AS (
        SELECT l.asset_id, l.account_id, sum(l.amount) AS total
          FROM music_journal_lines l, org
          JOIN music_accounts a ON a.organization_id = org.id
         WHERE l.organization_id = org.id AND a.id = l.account_id AND a.kind <> 'issuance'
         GROUP BY l.asset_id, l.account_id
    ),
    kept AS (SELECT b.asset_id, b.account_id, b.balance FROM music_balances b, org WHERE b.organization_id = org.id),
    issued AS (
        SELECT l.asset_id,
               coalesce(sum(-l.amount) FILTER (WHERE l.amount < 0), 0) AS minted,
               coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) AS burned
          FROM music_journal_lines l, org
          JOIN music_accounts a ON a.organization_id = org.id
         WHERE l.organization_id = org.id AND a.id = l.account_id AND a.kind = 'issuance'
         GROUP BY l.asset_id
    )
    SELECT coalesce(f.asset_id, k.asset_id), coalesce(f.account_id, k.account_id), 'balance',
           coalesce(f.total, 0), k.balance
      FROM folded f FULL JOIN kept k ON k.asset_id = f.asset_id AND k.account_id = f.account_id
     WHERE coalesce(f.total, 0) IS DISTINCT FROM coalesce(k.balance, 0) OR coalesce(f.total, 0) < 0
    UNION ALL
    SELECT s.id, NULL, 'minted', coalesce(i.minted, 0), s.minted
      FROM music_assets s CROSS JOIN org LEFT JOIN issued i ON i.asset_id = s.id
     WHERE s.organization_id = org.id AND s.minted <> coalesce(i.minted, 0)
    UNION ALL
    SELECT s.id, NULL, 'burned', coalesce(i.burned, 0), s.burned
      FROM music_assets s CROSS JOIN org LEFT JOIN issued i ON i.asset_id = s.id
     WHERE s.organization_id = org.id AND s.burned <> coalesce(i.burned, 0)
    UNION ALL
    SELECT s.id, NULL, 'conservation', s.minted - s.burned, coalesce(h.held, 0)
      FROM music_assets s CROSS JOIN org
      LEFT JOIN (SELECT b.asset_id, sum(b.balance) AS held FROM kept b GROUP BY b.asset_id) h ON h.asset_id = s.id
     WHERE s.organization_id = org.id AND s.minted - s.burned <> coalesce(h.held, 0)
    UNION ALL
    SELECT x.asset_id, NULL, format('unbalanced entry %s', x.entry_id), 0, x.total
      FROM (SELECT l.entry_id, l.asset_id, sum(l.amount) AS total
              FROM music_journal_lines l, org WHERE l.organization_id = org.id
             GROUP BY l.entry_id, l.asset_id HAVING sum(l.amount) <> 0) x
$$;

-- -- tenancy, privileges, audit -------------------------------------------------------------------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['music_artists', 'music_producers', 'music_masters', 'music_assets', 'music_accounts',
                             'music_journal_entries', 'music_journal_lines', 'music_balances'] LOOP
        PERFORM make_tenant_table(format('mediabase.%I', t)::regclass);
    END LOOP;
END
$$;
-- the journal is append-only; balances and supply counters are the trigger's to write
REVOKE UPDATE, DELETE, TRUNCATE ON music_journal_entries, music_journal_lines FROM mediabase_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON music_balances FROM mediabase_app;
REVOKE UPDATE, TRUNCATE ON music_assets, music_accounts FROM mediabase_app;
GRANT UPDATE (name) ON music_assets TO mediabase_app;
GRANT UPDATE (label) ON music_accounts TO mediabase_app;
REVOKE TRUNCATE ON music_artists, music_producers, music_masters FROM mediabase_app;

SELECT audit_table(t::regclass)
  FROM unnest(ARRAY['music_artists', 'music_producers', 'music_masters', 'music_accounts']) AS t;
SELECT audit_table('music_assets', '{}', '{minted,burned}');
