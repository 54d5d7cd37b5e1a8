-- The music ledger's SQL (0028's journal and balances, 0030's IPOs and coins; docs/music-ledger.md).
-- Every query names the tenant (%(org)s) itself, joins and subqueries too, so that Citus routes it
-- to one shard; row-level security stays the guard behind it.

-- -- assets and accounts ------------------------------------------------------------------------

-- name: asset_columns
SELECT id, kind, symbol, name, master_id, artist_id, decimals, supply_policy, max_supply, minted, burned,
       minted - burned AS outstanding, created_at
  FROM music_assets

-- name: list_assets
SELECT id, kind, symbol, name, master_id, artist_id, decimals, supply_policy, max_supply, minted, burned,
       minted - burned AS outstanding, created_at
  FROM music_assets
 WHERE organization_id = %(org)s AND (kind = %(kind)s::text OR %(kind)s::text IS NULL)
 ORDER BY symbol

-- name: insert_asset
INSERT INTO music_assets (organization_id, kind, symbol, name, master_id, artist_id, decimals, supply_policy, max_supply)
VALUES (%(org)s, %(kind)s, %(symbol)s, %(name)s, %(master_id)s, %(artist_id)s, %(decimals)s, %(supply_policy)s,
        %(max_supply)s::numeric)
RETURNING id

-- name: master_share_asset
SELECT id FROM music_assets WHERE organization_id = %(org)s AND master_id = %(master)s AND kind = 'master_share'

-- name: account_columns
SELECT id, kind, user_id, CASE WHEN address IS NOT NULL THEN '0x' || encode(address, 'hex') END AS address, label,
       created_at
  FROM music_accounts

-- name: accounts_kinds
-- The accounts of this tenant among %(ids)s, with their kind (and whether an IPO's treasury).
SELECT a.id, a.kind,
       EXISTS (SELECT 1 FROM music_ipos i
                WHERE i.organization_id = %(org)s AND i.treasury_account_id = a.id) AS ipo_treasury
  FROM music_accounts a
 WHERE a.organization_id = %(org)s AND a.id = ANY (%(ids)s::uuid[])

-- name: user_account
SELECT mediabase.music_user_account(%(user)s) AS id

-- name: address_account
SELECT mediabase.music_address_account(decode(substr(%(address)s, 3), 'hex')) AS id

-- name: issuance_account
SELECT mediabase.music_issuance_account() AS id

-- name: insert_treasury
INSERT INTO music_accounts (organization_id, kind, label) VALUES (%(org)s, 'treasury', %(label)s) RETURNING id

-- -- journal ------------------------------------------------------------------------------------

-- name: insert_entry
-- ON CONFLICT on the idempotency key: a replay inserts nothing (and posts no lines); a concurrent
-- replay waits for the first to commit, then finds it.
INSERT INTO music_journal_entries (organization_id, kind, effective_at, memo, idempotency_key, created_by)
VALUES (%(org)s, %(kind)s, coalesce(%(effective_at)s::timestamptz, now()), %(memo)s, %(key)s, %(user)s)
ON CONFLICT (organization_id, idempotency_key) DO NOTHING
RETURNING id

-- name: entry_by_key
SELECT id FROM music_journal_entries WHERE organization_id = %(org)s AND idempotency_key = %(key)s

-- name: entry_columns
SELECT id, kind, effective_at, chain_id, block_number, memo, reverses_id, idempotency_key, created_by, created_at
  FROM music_journal_entries

-- name: entry_lines
SELECT line_no, asset_id, account_id, amount
  FROM music_journal_lines
 WHERE organization_id = %(org)s AND entry_id = %(id)s
 ORDER BY line_no

-- name: list_entries
-- Newest first; of one asset or account when asked (a line of it in the entry).
SELECT e.id, e.kind, e.effective_at, e.chain_id, e.block_number, e.memo, e.reverses_id, e.idempotency_key,
       e.created_by, e.created_at
  FROM music_journal_entries e
 WHERE e.organization_id = %(org)s
   AND (%(asset)s::uuid IS NULL AND %(account)s::uuid IS NULL
        OR EXISTS (SELECT 1 FROM music_journal_lines l
                    WHERE l.organization_id = %(org)s AND l.entry_id = e.id
                      AND (l.asset_id = %(asset)s::uuid OR %(asset)s::uuid IS NULL)
                      AND (l.account_id = %(account)s::uuid OR %(account)s::uuid IS NULL)))
 ORDER BY e.created_at DESC, e.id DESC
 LIMIT %(limit)s

-- name: reverse_entry
SELECT mediabase.music_reverse_entry(%(id)s, %(memo)s) AS id

-- -- balances, cap tables, verify ---------------------------------------------------------------

-- name: account_balances
SELECT b.asset_id, s.symbol, b.account_id, b.balance
  FROM music_balances b
  JOIN music_assets s ON s.organization_id = %(org)s AND s.id = b.asset_id
 WHERE b.organization_id = %(org)s AND b.account_id = %(account)s AND b.balance > 0
 ORDER BY s.symbol

-- name: cap_table
-- Holders of an asset now, largest first; share of the outstanding supply (minted − burned).
SELECT a.id AS account_id, a.kind, a.user_id,
       CASE WHEN a.address IS NOT NULL THEN '0x' || encode(a.address, 'hex') END AS address, a.label,
       b.balance AS quantity,
       round(b.balance / nullif(%(outstanding)s::numeric, 0), 18) AS share
  FROM music_balances b
  JOIN music_accounts a ON a.organization_id = %(org)s AND a.id = b.account_id
 WHERE b.organization_id = %(org)s AND b.asset_id = %(asset)s AND b.balance > 0
 ORDER BY b.balance DESC, a.id

-- name: cap_table_at
-- Holders at an instant (inclusive), from the journal: the body of 0028's music_holdings_at written
-- out (on Citus a function that queries distributed tables cannot be joined with one).
WITH h AS (
    SELECT l.account_id, sum(l.amount) AS quantity
      FROM music_journal_lines l
      JOIN music_accounts x ON x.organization_id = l.organization_id AND x.id = l.account_id
     WHERE l.organization_id = %(org)s AND x.organization_id = %(org)s
       AND l.asset_id = %(asset)s AND l.effective_at <= %(at)s AND x.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0
)
SELECT a.id AS account_id, a.kind, a.user_id,
       CASE WHEN a.address IS NOT NULL THEN '0x' || encode(a.address, 'hex') END AS address, a.label,
       h.quantity, round(h.quantity / nullif(sum(h.quantity) OVER (), 0), 18) AS share
  FROM h
  JOIN music_accounts a ON a.organization_id = %(org)s AND a.id = h.account_id
 ORDER BY h.quantity DESC, a.id

-- name: cap_table_at_block
-- Holders at a block of a chain: the body of 0028's music_holdings_at_block written out.
WITH h AS (
    SELECT l.account_id, sum(l.amount) AS quantity
      FROM music_journal_lines l
      JOIN music_journal_entries e ON e.organization_id = l.organization_id AND e.id = l.entry_id
      JOIN music_accounts x ON x.organization_id = l.organization_id AND x.id = l.account_id
     WHERE l.organization_id = %(org)s AND e.organization_id = %(org)s AND x.organization_id = %(org)s
       AND l.asset_id = %(asset)s AND e.chain_id = %(chain)s AND l.block_number <= %(block)s
       AND x.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0
)
SELECT a.id AS account_id, a.kind, a.user_id,
       CASE WHEN a.address IS NOT NULL THEN '0x' || encode(a.address, 'hex') END AS address, a.label,
       h.quantity, round(h.quantity / nullif(sum(h.quantity) OVER (), 0), 18) AS share
  FROM h
  JOIN music_accounts a ON a.organization_id = %(org)s AND a.id = h.account_id
 ORDER BY h.quantity DESC, a.id

-- name: verify
SELECT asset_id, account_id, problem, expected, actual FROM mediabase.music_verify_ledger()

-- -- IPOs ---------------------------------------------------------------------------------------

-- name: ipo_columns
SELECT id, master_id, asset_id, treasury_account_id, total_supply, price, currency, opens_at, closes_at, status,
       allocated, total_supply - allocated AS remaining, issue_entry_id, cancel_entry_id, created_by, created_at,
       updated_at
  FROM music_ipos

-- name: insert_ipo
-- treasury_account_id and issue_entry_id are the trigger's (0030): it opens the treasury account
-- and mints total_supply into it.
INSERT INTO music_ipos (organization_id, master_id, asset_id, total_supply, price, currency, opens_at, closes_at,
                        status, created_by)
VALUES (%(org)s, %(master_id)s, %(asset)s, %(total_supply)s::numeric, %(price)s, %(currency)s, %(opens_at)s,
        %(closes_at)s, %(status)s, %(user)s)
RETURNING id

-- name: list_ipos
SELECT id, master_id, asset_id, treasury_account_id, total_supply, price, currency, opens_at, closes_at, status,
       allocated, total_supply - allocated AS remaining, issue_entry_id, cancel_entry_id, created_by, created_at,
       updated_at
  FROM music_ipos
 WHERE organization_id = %(org)s AND (master_id = %(master)s::uuid OR %(master)s::uuid IS NULL)
   AND (status = %(status)s::text OR %(status)s::text IS NULL)
 ORDER BY created_at DESC, id DESC

-- name: lock_ipo
SELECT id, status FROM music_ipos WHERE organization_id = %(org)s AND id = %(id)s FOR NO KEY UPDATE

-- name: insert_allocation
INSERT INTO music_ipo_allocations (organization_id, ipo_id, account_id, quantity, created_by)
VALUES (%(org)s, %(ipo)s, %(account)s, %(quantity)s::numeric, %(user)s)
RETURNING id, ipo_id, account_id, quantity, entry_id, created_by, created_at

-- name: list_allocations
SELECT id, ipo_id, account_id, quantity, entry_id, created_by, created_at
  FROM music_ipo_allocations
 WHERE organization_id = %(org)s AND ipo_id = %(ipo)s
 ORDER BY created_at, id

-- -- coins and liquidity ------------------------------------------------------------------------

-- name: coin_columns
SELECT c.id, c.artist_id, c.asset_id, s.symbol, c.name, c.description, s.decimals, s.supply_policy, s.max_supply,
       s.minted - s.burned AS outstanding, c.created_at
  FROM music_coins c
  JOIN music_assets s ON s.organization_id = %(org)s AND s.id = c.asset_id

-- name: list_coins
SELECT c.id, c.artist_id, c.asset_id, s.symbol, c.name, c.description, s.decimals, s.supply_policy, s.max_supply,
       s.minted - s.burned AS outstanding, c.created_at
  FROM music_coins c
  JOIN music_assets s ON s.organization_id = %(org)s AND s.id = c.asset_id
 WHERE c.organization_id = %(org)s AND (c.artist_id = %(artist)s::uuid OR %(artist)s::uuid IS NULL)
 ORDER BY s.symbol

-- name: insert_coin
INSERT INTO music_coins (organization_id, artist_id, asset_id, name, description, created_by)
VALUES (%(org)s, %(artist_id)s, %(asset)s, %(name)s, %(description)s, %(user)s)
RETURNING id

-- name: insert_snapshot
INSERT INTO music_liquidity_snapshots (organization_id, coin_id, pool, observed_at, reserve_coin, reserve_quote,
                                       quote_symbol, quote_decimals)
VALUES (%(org)s, %(coin)s, %(pool)s, %(observed_at)s, %(reserve_coin)s::numeric, %(reserve_quote)s::numeric,
        %(quote_symbol)s, %(quote_decimals)s)
RETURNING coin_id, pool, observed_at, reserve_coin, reserve_quote, quote_symbol, quote_decimals, coin_decimals, price

-- name: latest_snapshots
-- The latest snapshot of each of a coin's pools (the primary key, backwards per pool).
SELECT DISTINCT ON (pool) coin_id, pool, observed_at, reserve_coin, reserve_quote, quote_symbol, quote_decimals,
       coin_decimals, price
  FROM music_liquidity_snapshots
 WHERE organization_id = %(org)s AND coin_id = %(coin)s
 ORDER BY pool, observed_at DESC

-- name: price_series
-- A coin's snapshots in [since, until), oldest first; of one pool when asked.
SELECT coin_id, pool, observed_at, reserve_coin, reserve_quote, quote_symbol, quote_decimals, coin_decimals, price
  FROM music_liquidity_snapshots
 WHERE organization_id = %(org)s AND coin_id = %(coin)s
   AND observed_at >= %(since)s AND observed_at < %(until)s
   AND (pool = %(pool)s::text OR %(pool)s::text IS NULL)
 ORDER BY observed_at, pool
 LIMIT %(limit)s
