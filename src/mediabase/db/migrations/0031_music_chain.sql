-- 0031_music_chain: NFTs and chain mirroring with reorgs (docs/music-chain.md explains it all).
--
--   music_chains            EIP-155 chains and their finality depth (a global reference table)
--   music_chain_contracts   the token contracts an organization mirrors; one bound to a ledger
--                           asset (music_assets: master shares, an artist coin) has its final
--                           transfers posted to the journal
--   music_nfts              master NFTs: a token of an ERC-721/1155 contract, its master, metadata
--   music_blocks            block headers as imported, per organization (each tenant mirrors its
--                           own contracts: everything stays colocated by organization_id on
--                           Citus); at most one canonical block per height
--   music_transfers         Transfer / TransferSingle logs keyed by (chain, tx_hash, log_index):
--                           replaying a feed is idempotent; canonical follows the block's
--   music_chain_holdings    tip balances per (contract, token, address), kept by statement-level
--                           triggers on music_transfers (the application cannot write them); the
--                           zero address (mint and burn side) has no row: per token, Σ holdings =
--                           minted − burned over the canonical transfers
--   music_chain_cursors     the indexer's cursor per contract: the last imported block, and the
--                           last block whose transfers are posted to the ledger
--   music_chain_reorgs      one row per reorg the importer handled (fork point, depth, effects)
--
-- A reorg is two UPDATEs of music_blocks (the orphaned branch off, a re-adopted one on); the
-- triggers below carry it to the transfers of those blocks and from them to the holdings, so its
-- cost follows the depth, never the history.

-- -- rules as functions ---------------------------------------------------------------------------

CREATE FUNCTION mediabase.music_zero_address() RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '\x0000000000000000000000000000000000000000'::bytea;

-- '0x' and up to 15 hex digits (a block number, log index or timestamp) as bigint, and '0x' and up
-- to 64 hex digits (a uint256) as numeric(78,0), exactly: PostgreSQL 16+ reads hex integers
-- ('0x…', either case) as bigint and numeric. The callers test the digits first (music_is_hex):
-- a cast alone would also take decimals, blanks and underscores. Plain casts, so the planner
-- inlines both: a SQL function it cannot inline (the former five-limb bit(64) arithmetic here was
-- STRICT around a CASE) costs a function call of ~15 µs per line of a feed.
CREATE FUNCTION mediabase.music_hex_int(h text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN h::bigint;

CREATE FUNCTION mediabase.music_hex_uint256(h text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN h::numeric;

-- Whether t is '0x' and between lo and hi hex digits (either case); NULL is not. A length test and
-- one fixed pattern: a counted repetition ({64}) makes the regex engine slow on every line.
CREATE FUNCTION mediabase.music_is_hex(t text, lo integer, hi integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(length(t) BETWEEN lo + 2 AND hi + 2 AND t ~ '^0[xX][0-9a-fA-F]+$', false);

-- An address or hash as it is written out: lowercase 0x-hex.
CREATE FUNCTION mediabase.music_hex(b bytea) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN '0x' || encode(b, 'hex');

-- -- chains and contracts -------------------------------------------------------------------------

CREATE TABLE music_chains (
    chain_id       bigint PRIMARY KEY CONSTRAINT music_chains_chain_id_positive CHECK (chain_id > 0),
    name           text NOT NULL CONSTRAINT music_chains_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    finality_depth integer NOT NULL CONSTRAINT music_chains_finality_depth_range CHECK (finality_depth BETWEEN 0 AND 100000),
    created_at     timestamptz NOT NULL DEFAULT now()
);
SELECT declare_table('music_chains', 'reference');
-- Finality in blocks: Ethereum finalizes after two epochs (64 slots); the L2s' own depths are
-- what their sequencers' reorgs have stayed under; 31337 is a local development chain (Anvil,
-- Hardhat), which the demo and the generator use.
INSERT INTO music_chains (chain_id, name, finality_depth) VALUES
    (1, 'Ethereum', 64), (10, 'OP Mainnet', 64), (137, 'Polygon PoS', 256), (8453, 'Base', 64),
    (42161, 'Arbitrum One', 64), (11155111, 'Sepolia', 64), (31337, 'Local development chain', 12);

CREATE TABLE music_chain_contracts (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    chain_id        bigint NOT NULL REFERENCES music_chains,
    address         bytea NOT NULL CONSTRAINT music_chain_contracts_address_length CHECK (length(address) = 20),
    standard        text NOT NULL CONSTRAINT music_chain_contracts_standard_valid
                        CHECK (standard IN ('erc721', 'erc1155', 'erc20')),
    name            text CONSTRAINT music_chain_contracts_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    asset_id        uuid,  -- the ledger asset its tokens are (master shares, an artist coin)
    master_id       uuid,  -- the master its tokens belong to
    start_block     bigint NOT NULL DEFAULT 0 CONSTRAINT music_chain_contracts_start_block_nonnegative
                        CHECK (start_block >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_chain_contracts_address_key UNIQUE (organization_id, chain_id, address),
    CONSTRAINT music_chain_contracts_asset_key UNIQUE (organization_id, asset_id),
    CONSTRAINT music_chain_contracts_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_chain_contracts_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id)
);
SELECT declare_table('music_chain_contracts', 'distributed');
CREATE INDEX music_chain_contracts_chain_idx ON music_chain_contracts (chain_id);
CREATE INDEX music_chain_contracts_master_idx ON music_chain_contracts (organization_id, master_id)
    WHERE master_id IS NOT NULL;

CREATE TABLE music_nfts (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    contract_id     uuid NOT NULL,
    token_id        numeric(78,0) NOT NULL CONSTRAINT music_nfts_token_id_range
                        CHECK (token_id >= 0 AND token_id < 2::numeric ^ 256),
    master_id       uuid,
    metadata_uri    text CONSTRAINT music_nfts_metadata_uri_valid
                        CHECK (length(metadata_uri) <= 2048 AND metadata_uri ~ '^[a-z][a-z0-9+.-]*://[^[:space:][:cntrl:]]+$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_nfts_token_key UNIQUE (organization_id, contract_id, token_id),
    CONSTRAINT music_nfts_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_chain_contracts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_nfts_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id)
);
SELECT declare_table('music_nfts', 'distributed');
CREATE INDEX music_nfts_master_idx ON music_nfts (organization_id, master_id) WHERE master_id IS NOT NULL;

-- -- blocks and transfers -------------------------------------------------------------------------

CREATE TABLE music_blocks (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    chain_id        bigint NOT NULL REFERENCES music_chains,
    number          bigint NOT NULL CONSTRAINT music_blocks_number_nonnegative CHECK (number >= 0),
    hash            bytea NOT NULL CONSTRAINT music_blocks_hash_length CHECK (length(hash) = 32),
    parent_hash     bytea NOT NULL CONSTRAINT music_blocks_parent_hash_length CHECK (length(parent_hash) = 32),
    block_time      timestamptz NOT NULL,
    canonical       boolean NOT NULL DEFAULT true,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, chain_id, hash)
);
SELECT declare_table('music_blocks', 'distributed');
-- one canonical block per height; also the orphaning range scan (number >= fork) of a reorg
CREATE UNIQUE INDEX music_blocks_canonical_number_key ON music_blocks (organization_id, chain_id, number)
    WHERE canonical;
CREATE INDEX music_blocks_chain_idx ON music_blocks (chain_id);

CREATE TABLE music_transfers (
    organization_id uuid NOT NULL,
    chain_id        bigint NOT NULL,
    tx_hash         bytea NOT NULL CONSTRAINT music_transfers_tx_hash_length CHECK (length(tx_hash) = 32),
    log_index       integer NOT NULL CONSTRAINT music_transfers_log_index_nonnegative CHECK (log_index >= 0),
    block_number    bigint NOT NULL,
    block_hash      bytea NOT NULL,
    contract_id     uuid NOT NULL,
    token_id        numeric(78,0) CONSTRAINT music_transfers_token_id_range
                        CHECK (token_id >= 0 AND token_id < 2::numeric ^ 256),
    from_address    bytea NOT NULL CONSTRAINT music_transfers_from_length CHECK (length(from_address) = 20),
    to_address      bytea NOT NULL CONSTRAINT music_transfers_to_length CHECK (length(to_address) = 20),
    amount          numeric(78,0) NOT NULL CONSTRAINT music_transfers_amount_positive CHECK (amount > 0),
    canonical       boolean NOT NULL DEFAULT true,
    posted_entry_id uuid,  -- the journal entry that posted it once final (spine's music_journal_entries)
    PRIMARY KEY (organization_id, chain_id, tx_hash, log_index),
    CONSTRAINT music_transfers_block_fk FOREIGN KEY (organization_id, chain_id, block_hash)
        REFERENCES music_blocks (organization_id, chain_id, hash),
    CONSTRAINT music_transfers_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_chain_contracts (organization_id, id),
    CONSTRAINT music_transfers_posted_entry_fk FOREIGN KEY (organization_id, posted_entry_id)
        REFERENCES music_journal_entries (organization_id, id)
);
SELECT declare_table('music_transfers', 'distributed');
-- a block's transfers (a reorg flips them); a contract's history by block (the posting range)
CREATE INDEX music_transfers_block_idx ON music_transfers (organization_id, chain_id, block_hash);
CREATE INDEX music_transfers_contract_idx ON music_transfers (organization_id, contract_id, block_number);
CREATE INDEX music_transfers_posted_entry_idx ON music_transfers (organization_id, posted_entry_id)
    WHERE posted_entry_id IS NOT NULL;
-- posted transfers a reorg deeper than finality orphaned: their entries are to be reversed (few, briefly)
CREATE INDEX music_transfers_to_reverse_idx ON music_transfers (organization_id, chain_id, block_number)
    WHERE posted_entry_id IS NOT NULL AND NOT canonical;

CREATE TABLE music_chain_holdings (
    organization_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    token_id        numeric(78,0) NOT NULL,  -- 0 for an ERC-20 contract (one fungible token)
    address         bytea NOT NULL CONSTRAINT music_chain_holdings_address_length CHECK (length(address) = 20),
    balance         numeric(78,0) NOT NULL CONSTRAINT music_chain_holdings_nonnegative CHECK (balance >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, contract_id, token_id, address),
    CONSTRAINT music_chain_holdings_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_chain_contracts (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('music_chain_holdings', 'distributed');

CREATE TABLE music_chain_cursors (
    organization_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    chain_id        bigint NOT NULL,
    last_block      bigint NOT NULL CONSTRAINT music_chain_cursors_last_block_nonnegative CHECK (last_block >= 0),
    last_block_hash bytea NOT NULL CONSTRAINT music_chain_cursors_hash_length CHECK (length(last_block_hash) = 32),
    posted_block    bigint NOT NULL DEFAULT -1,  -- transfers up to this block are in the journal
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, contract_id),
    CONSTRAINT music_chain_cursors_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_chain_contracts (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('music_chain_cursors', 'distributed');

CREATE TABLE music_chain_reorgs (
    organization_id    uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                 uuid NOT NULL DEFAULT new_id(),
    chain_id           bigint NOT NULL REFERENCES music_chains,
    fork_block         bigint NOT NULL,  -- the lowest height whose block changed
    old_head           bigint NOT NULL,
    old_head_hash      bytea NOT NULL,
    new_block_hash     bytea NOT NULL,   -- the first block of the branch that won
    depth              integer NOT NULL CONSTRAINT music_chain_reorgs_depth_positive CHECK (depth > 0),
    orphaned_transfers bigint NOT NULL DEFAULT 0,
    readopted_blocks   integer NOT NULL DEFAULT 0,
    reversed_entries   integer NOT NULL DEFAULT 0,
    detected_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id)
);
SELECT declare_table('music_chain_reorgs', 'distributed');
CREATE INDEX music_chain_reorgs_chain_idx ON music_chain_reorgs (chain_id);
CREATE INDEX music_chain_reorgs_recent_idx ON music_chain_reorgs (organization_id, chain_id, detected_at DESC);

-- -- triggers: a block's canonical flag goes to its transfers, transfers go to the holdings -------

-- A transfer moved to another block (a log re-mined after a reorg) takes that block's flag.
CREATE FUNCTION mediabase.music_transfers_follow_block() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    SELECT b.canonical, b.number INTO NEW.canonical, NEW.block_number
      FROM music_blocks b
     WHERE b.organization_id = NEW.organization_id AND b.chain_id = NEW.chain_id AND b.hash = NEW.block_hash;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_transfers_follow_block BEFORE UPDATE OF block_hash ON music_transfers
    FOR EACH ROW WHEN (OLD.block_hash IS DISTINCT FROM NEW.block_hash)
    EXECUTE FUNCTION music_transfers_follow_block();

-- On Citus these triggers run on a shard, where a transition table cannot be joined with a
-- distributed table ("unrecognized RTE kind"): each reads its transition tables on their own into
-- arrays, per organization, and the statements on the distributed tables read the arrays.
CREATE FUNCTION mediabase.music_blocks_flip() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT n.organization_id AS org, array_agg(n.chain_id) AS chains, array_agg(n.hash) AS hashes,
                    array_agg(n.canonical) AS flags
               FROM flipped_new n JOIN flipped_old o
                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id AND o.hash = n.hash
              WHERE n.canonical IS DISTINCT FROM o.canonical
              GROUP BY n.organization_id LOOP
        UPDATE music_transfers t SET canonical = u.canonical
          FROM unnest(g.chains, g.hashes, g.flags) AS u (chain_id, hash, canonical)
         WHERE t.organization_id = g.org AND t.chain_id = u.chain_id AND t.block_hash = u.hash
           AND t.canonical IS DISTINCT FROM u.canonical;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER music_blocks_flip AFTER UPDATE ON music_blocks
    REFERENCING OLD TABLE AS flipped_old NEW TABLE AS flipped_new
    FOR EACH STATEMENT EXECUTE FUNCTION music_blocks_flip();

-- Apply summed deltas per (contract, token, address) of one organization to the holdings: a row
-- for each first (balance 0), then one UPDATE (a CHECK sees an upsert's proposed row before ON
-- CONFLICT does, so a debit could not go through an upsert). A balance below zero breaks
-- music_chain_holdings_nonnegative and with it the statement.
CREATE FUNCTION mediabase.music_chain_holdings_apply(org uuid, contracts uuid[], tokens numeric[], addresses bytea[],
                                                     deltas numeric[]) RETURNS void
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    ts timestamptz := now();
BEGIN
    IF contracts IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO music_chain_holdings (organization_id, contract_id, token_id, address, balance, updated_at)
    SELECT org, u.contract_id, u.token_id, u.address, 0, ts
      FROM unnest(contracts, tokens, addresses) AS u (contract_id, token_id, address)
        ON CONFLICT (organization_id, contract_id, token_id, address) DO NOTHING;
    UPDATE music_chain_holdings h SET balance = h.balance + u.delta, updated_at = ts
      FROM unnest(contracts, tokens, addresses, deltas) AS u (contract_id, token_id, address, delta)
     WHERE h.organization_id = org AND h.contract_id = u.contract_id AND h.token_id = u.token_id
       AND h.address = u.address;
END
$$;
-- (the triggers call it as the owner; the application role cannot write the holdings through it)

-- The effect of canonical transfers on the holdings, aggregated: the sender loses, the receiver
-- gains, the zero address is neither.
CREATE FUNCTION mediabase.music_transfers_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT d.organization_id AS org, array_agg(d.contract_id) AS contracts, array_agg(d.token_id) AS tokens,
                    array_agg(d.address) AS addresses, array_agg(d.delta) AS deltas
               FROM (SELECT x.organization_id, x.contract_id, x.token_id, x.address, sum(x.delta) AS delta
                       FROM (SELECT t.organization_id, t.contract_id, coalesce(t.token_id, 0) AS token_id,
                                    t.from_address AS address, -t.amount AS delta
                               FROM inserted t WHERE t.canonical AND t.from_address <> music_zero_address()
                             UNION ALL
                             SELECT t.organization_id, t.contract_id, coalesce(t.token_id, 0), t.to_address, t.amount
                               FROM inserted t WHERE t.canonical AND t.to_address <> music_zero_address()) x
                      GROUP BY x.organization_id, x.contract_id, x.token_id, x.address
                     HAVING sum(x.delta) <> 0) d
              GROUP BY d.organization_id LOOP
        PERFORM music_chain_holdings_apply(g.org, g.contracts, g.tokens, g.addresses, g.deltas);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER music_transfers_inserted AFTER INSERT ON music_transfers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION music_transfers_inserted();

-- An update changes a transfer's effect through its canonical flag: a row that was canonical
-- takes its old effect back, a row that is canonical now adds its new one (unchanged rows cancel).
CREATE FUNCTION mediabase.music_transfers_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT d.organization_id AS org, array_agg(d.contract_id) AS contracts, array_agg(d.token_id) AS tokens,
                    array_agg(d.address) AS addresses, array_agg(d.delta) AS deltas
               FROM (SELECT f.organization_id, f.contract_id, f.token_id, x.address, sum(x.sign * f.sign * f.amount) AS delta
                       FROM (SELECT o.organization_id, o.contract_id, coalesce(o.token_id, 0) AS token_id, o.from_address,
                                    o.to_address, o.amount, -1 AS sign
                               FROM changed_old o JOIN changed_new n
                                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id
                                AND o.tx_hash = n.tx_hash AND o.log_index = n.log_index
                              WHERE o.canonical AND NOT n.canonical
                             UNION ALL
                             SELECT n.organization_id, n.contract_id, coalesce(n.token_id, 0), n.from_address,
                                    n.to_address, n.amount, 1
                               FROM changed_new n JOIN changed_old o
                                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id
                                AND o.tx_hash = n.tx_hash AND o.log_index = n.log_index
                              WHERE n.canonical AND NOT o.canonical) f
                      CROSS JOIN LATERAL (VALUES (f.from_address, -1), (f.to_address, 1)) AS x (address, sign)
                      WHERE x.address <> music_zero_address()
                      GROUP BY f.organization_id, f.contract_id, f.token_id, x.address
                     HAVING sum(x.sign * f.sign * f.amount) <> 0) d
              GROUP BY d.organization_id LOOP
        PERFORM music_chain_holdings_apply(g.org, g.contracts, g.tokens, g.addresses, g.deltas);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER music_transfers_updated AFTER UPDATE ON music_transfers
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION music_transfers_updated();

-- A transfer's content is its log's: it changes only with the block that carries it (a re-mined
-- transaction), and never once posted to the journal.
CREATE FUNCTION mediabase.music_transfers_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.organization_id, NEW.chain_id, NEW.tx_hash, NEW.log_index)
       IS DISTINCT FROM (OLD.organization_id, OLD.chain_id, OLD.tx_hash, OLD.log_index)
       OR ((NEW.contract_id, NEW.token_id, NEW.from_address, NEW.to_address, NEW.amount)
           IS DISTINCT FROM (OLD.contract_id, OLD.token_id, OLD.from_address, OLD.to_address, OLD.amount)
           -- a transaction re-mined after a reorg may log otherwise under the same index: the row
           -- takes the new block's log (music_transfers_updated takes back the old effect, if any)
           AND (NEW.block_hash IS NOT DISTINCT FROM OLD.block_hash OR NEW.posted_entry_id IS NOT NULL)) THEN
        RAISE EXCEPTION 'a mirrored transfer''s log changes only with its block, never once posted'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_transfers_immutable',
                  DETAIL = 'constraint "music_transfers_immutable"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_transfers_immutable BEFORE UPDATE ON music_transfers
    FOR EACH ROW EXECUTE FUNCTION music_transfers_immutable();

-- What music_chain_holdings should say, recomputed from the canonical transfers, and every
-- transfer whose flag is not its block's: empty = consistent (current tenant).
CREATE FUNCTION mediabase.music_chain_verify()
    RETURNS TABLE (contract_id uuid, token_id numeric, address bytea, problem text, expected numeric, actual numeric)
    -- PL/pgSQL, not SQL: Citus plans no SQL function over distributed tables with parameters
    LANGUAGE plpgsql STABLE SET search_path = mediabase, pg_temp AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    WITH fold AS (
        SELECT f.contract_id, f.token_id, f.address, sum(f.delta) AS balance
          FROM (SELECT t.contract_id, coalesce(t.token_id, 0) AS token_id, t.from_address AS address, -t.amount AS delta
                  FROM music_transfers t
                 WHERE t.organization_id = org AND t.canonical AND t.from_address <> music_zero_address()
                UNION ALL
                SELECT t.contract_id, coalesce(t.token_id, 0), t.to_address, t.amount
                  FROM music_transfers t
                 WHERE t.organization_id = org AND t.canonical AND t.to_address <> music_zero_address()) f
         GROUP BY f.contract_id, f.token_id, f.address
    )
    SELECT coalesce(f.contract_id, h.contract_id), coalesce(f.token_id, h.token_id), coalesce(f.address, h.address),
           'holding', coalesce(f.balance, 0), coalesce(h.balance, 0)
      FROM fold f
      FULL JOIN (SELECT * FROM music_chain_holdings WHERE organization_id = org) h
        ON h.contract_id = f.contract_id AND h.token_id = f.token_id AND h.address = f.address
     WHERE coalesce(f.balance, 0) <> coalesce(h.balance, 0)
    UNION ALL
    SELECT t.contract_id, t.token_id, t.tx_hash, 'canonical flag differs from its block''s',
           b.canonical::int, t.canonical::int
      FROM music_transfers t
      JOIN music_blocks b ON b.organization_id = t.organization_id AND b.chain_id = t.chain_id AND b.hash = t.block_hash
     WHERE t.organization_id = org AND b.organization_id = org
       AND t.canonical IS DISTINCT FROM b.canonical;
END
$$;

-- -- tenancy, privileges, audit -------------------------------------------------------------------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['music_chain_contracts', 'music_nfts', 'music_blocks', 'music_transfers',
                             'music_chain_holdings', 'music_chain_cursors', 'music_chain_reorgs'] LOOP
        PERFORM make_tenant_table(format('mediabase.%I', t)::regclass);
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON mediabase.%I FROM mediabase_app', t);
    END LOOP;
END
$$;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON music_chains FROM mediabase_app;
-- holdings are the triggers' alone
REVOKE INSERT ON music_chain_holdings FROM mediabase_app;
GRANT UPDATE (name, master_id) ON music_chain_contracts TO mediabase_app;
GRANT UPDATE (master_id, metadata_uri) ON music_nfts TO mediabase_app;
GRANT UPDATE (canonical) ON music_blocks TO mediabase_app;
GRANT UPDATE (block_number, block_hash, posted_entry_id) ON music_transfers TO mediabase_app;
GRANT UPDATE (last_block, last_block_hash, posted_block, updated_at) ON music_chain_cursors TO mediabase_app;
GRANT DELETE ON music_chain_contracts, music_nfts TO mediabase_app;

SELECT audit_table('music_chain_contracts');
-- NFT rows are edited one by one (master, metadata: audited per row) but created in bulk, one
-- per minted token of an imported feed: their creation is audited as transcript segments' is,
-- one audit row per statement and contract (count, token range), not one row trigger per mint.
CREATE FUNCTION mediabase.music_nfts_audit_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT organization_id, contract_id,
                    jsonb_build_object('contract_id', contract_id, 'nfts', count(*), 'first_token_id', min(token_id),
                                       'last_token_id', max(token_id)) AS image
               FROM inserted GROUP BY organization_id, contract_id LOOP
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
        VALUES (g.organization_id, current_user_id(), 'music_nfts', 'INSERT', g.contract_id, g.image);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER zz_audit AFTER UPDATE OR DELETE ON music_nfts
    FOR EACH ROW EXECUTE FUNCTION audit_row('{}', '{}', '{}');
CREATE TRIGGER zz_audit_ins AFTER INSERT ON music_nfts
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION music_nfts_audit_insert();
