-- music.chain: contracts, NFTs, the importer's set-based steps, reads (docs/music-chain.md).
-- Every tenant statement names organization_id = %(org)s (one shard on Citus).

-- name: insert_contract
INSERT INTO music_chain_contracts (organization_id, chain_id, address, standard, name, asset_id, master_id, start_block)
VALUES (%(org)s, %(chain_id)s, %(address)s, %(standard)s, %(name)s, %(asset_id)s, %(master_id)s, %(start_block)s)
RETURNING id, chain_id, address, standard, name, asset_id, master_id, start_block, created_at

-- name: list_contracts
SELECT id, chain_id, address, standard, name, asset_id, master_id, start_block, created_at
  FROM music_chain_contracts
 WHERE organization_id = %(org)s AND (%(chain_id)s::bigint IS NULL OR chain_id = %(chain_id)s)
 ORDER BY chain_id, created_at, id

-- name: get_chain
SELECT chain_id, name, finality_depth FROM music_chains WHERE chain_id = %(chain_id)s

-- name: list_chains
SELECT chain_id, name, finality_depth FROM music_chains ORDER BY chain_id

-- name: lock_chain
-- One import per organization and chain at a time (a transaction-level advisory lock).
SELECT pg_advisory_xact_lock(hashtextextended(%(org)s::text || ':music-chain:' || %(chain_id)s::text, 31))

-- name: create_raw
CREATE TEMP TABLE music_chain_feed_raw (line bigint GENERATED ALWAYS AS IDENTITY, doc text) ON COMMIT DROP

-- name: copy_raw
COPY music_chain_feed_raw (doc) FROM STDIN

-- name: parse_feed
-- Every line of the file, parsed and checked in one pass: the typed fields of a block header or
-- a Transfer log, or the first field that is wrong (field, problem). Conversions run only on
-- lines without a problem. kind: block | transfer | ignored (another event, a zero amount, or a
-- log marked removed: a reorg is carried by the new headers) | NULL (a problem).
-- Each step is a LATERAL function scan of the line before it (j: the JSON parsed once; k: its
-- fields; t: the topics and the event they name; p: the first problem, 'field|problem'; v: the
-- amount): a function in FROM is evaluated once per line and the steps after it read its columns.
-- A subquery there would be flattened into the next step's expressions (the JSON parse and the
-- problem CASE repeated in every column that names them); CTEs MATERIALIZED, as before, avoided
-- that but stored every line three times: 1.7 GB of temporary files for a million lines.
CREATE TEMP TABLE music_chain_feed ON COMMIT DROP AS
SELECT r.line,
       CASE WHEN p.problem IS NOT NULL THEN NULL
            WHEN t.shape = 'block' THEN 'block'
            WHEN t.event IS NULL OR t.removed OR v.amount = 0 THEN 'ignored'
            ELSE 'transfer' END AS kind,
       t.event AS standard,
       CASE WHEN p.problem IS NULL AND t.shape = 'block' THEN music_hex_int(k.number)
            WHEN p.problem IS NULL AND t.shape = 'log' THEN music_hex_int(k."blockNumber") END AS number,
       CASE WHEN p.problem IS NULL AND t.shape = 'block' THEN decode(substr(k.hash, 3), 'hex')
            WHEN p.problem IS NULL AND t.shape = 'log' THEN decode(substr(k."blockHash", 3), 'hex') END AS hash,
       CASE WHEN p.problem IS NULL AND t.shape = 'block' THEN decode(substr(k."parentHash", 3), 'hex') END AS parent_hash,
       CASE WHEN p.problem IS NULL AND t.shape = 'block' THEN to_timestamp(music_hex_int(k.timestamp)) END AS block_time,
       CASE WHEN p.problem IS NULL AND t.event IS NOT NULL THEN decode(substr(k.address, 3), 'hex') END AS address,
       CASE WHEN p.problem IS NULL AND t.event IS NOT NULL THEN decode(substr(k."transactionHash", 3), 'hex') END AS tx_hash,
       CASE WHEN p.problem IS NULL AND t.event IS NOT NULL THEN music_hex_int(k."logIndex")::integer END AS log_index,
       CASE WHEN p.problem IS NOT NULL OR t.event IS NULL THEN NULL
            WHEN t.event = 'erc1155' THEN decode(right(t.t2, 40), 'hex')
            ELSE decode(right(t.t1, 40), 'hex') END AS from_address,
       CASE WHEN p.problem IS NOT NULL OR t.event IS NULL THEN NULL
            WHEN t.event = 'erc1155' THEN decode(right(t.t3, 40), 'hex')
            ELSE decode(right(t.t2, 40), 'hex') END AS to_address,
       CASE WHEN p.problem IS NOT NULL OR t.event IS NULL THEN NULL
            WHEN t.event = 'erc721' THEN music_hex_uint256(t.t3)
            WHEN t.event = 'erc1155' THEN music_hex_uint256('0x' || substr(k.data, 3, 64)) END AS token_id,
       v.amount::numeric(78,0) AS amount,
       split_part(p.problem, '|', 1) AS field, split_part(p.problem, '|', 2) AS problem
  FROM music_chain_feed_raw r
 CROSS JOIN LATERAL unnest(ARRAY[CASE WHEN pg_input_is_valid(r.doc, 'jsonb') THEN r.doc::jsonb END]) AS j (d)
  LEFT JOIN LATERAL jsonb_to_record(CASE WHEN jsonb_typeof(j.d) = 'object' THEN j.d END)
         AS k (number text, hash text, "parentHash" text, timestamp text, address text, data text, "blockNumber" text,
               "blockHash" text, "transactionHash" text, "logIndex" text, removed jsonb, topics jsonb) ON true
 CROSS JOIN LATERAL unnest(
           ARRAY[CASE WHEN jsonb_typeof(j.d) <> 'object' THEN NULL
                      WHEN j.d ? 'topics' THEN 'log'
                      WHEN j.d ? 'parentHash' THEN 'block' END],
           ARRAY[coalesce(jsonb_typeof(k.removed), 'boolean') = 'boolean'],
           ARRAY[coalesce(k.removed = 'true'::jsonb, false)],
           ARRAY[jsonb_typeof(k.topics) = 'array'],
           ARRAY[lower(k.topics ->> 1)], ARRAY[lower(k.topics ->> 2)], ARRAY[lower(k.topics ->> 3)],
           ARRAY[CASE WHEN jsonb_typeof(k.topics) = 'array' THEN jsonb_array_length(k.topics) ELSE 0 END],
           ARRAY[CASE WHEN jsonb_typeof(k.topics) <> 'array' THEN NULL
                      WHEN lower(k.topics ->> 0) = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'
                      THEN CASE jsonb_array_length(k.topics) WHEN 3 THEN 'erc20' WHEN 4 THEN 'erc721' END
                      WHEN lower(k.topics ->> 0) = '0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62'
                      THEN 'erc1155'
                      WHEN lower(k.topics ->> 0) = '0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb'
                      THEN 'batch' END]
       ) AS t (shape, removed_ok, removed, has_topics, t1, t2, t3, ntopics, event)
 CROSS JOIN LATERAL unnest(ARRAY[CASE
             WHEN j.d IS NULL THEN 'line|not valid JSON'
             WHEN t.shape IS NULL THEN 'line|neither a block header (number, hash, parentHash, timestamp)'
                                        ' nor a log (address, topics, data, blockNumber, blockHash,'
                                        ' transactionHash, logIndex)'
             WHEN t.shape = 'block' AND NOT music_is_hex(k.number, 1, 15) THEN 'number|a hex quantity 0x… below 2^60'
             WHEN t.shape = 'block' AND NOT music_is_hex(k.hash, 64, 64) THEN 'hash|32 bytes as 0x-hex'
             WHEN t.shape = 'block' AND NOT music_is_hex(k."parentHash", 64, 64) THEN 'parentHash|32 bytes as 0x-hex'
             WHEN t.shape = 'block' AND NOT music_is_hex(k.timestamp, 1, 10) THEN 'timestamp|a hex quantity of seconds since 1970'
             WHEN t.shape = 'block' THEN NULL
             WHEN NOT music_is_hex(k.address, 40, 40) THEN 'address|20 bytes as 0x-hex'
             WHEN NOT t.has_topics OR t.ntopics = 0 THEN 'topics|an array of 32-byte topics'
             WHEN NOT music_is_hex(k."blockNumber", 1, 15) THEN 'blockNumber|a hex quantity 0x… below 2^60'
             WHEN NOT music_is_hex(k."blockHash", 64, 64) THEN 'blockHash|32 bytes as 0x-hex'
             WHEN NOT music_is_hex(k."transactionHash", 64, 64) THEN 'transactionHash|32 bytes as 0x-hex'
             WHEN NOT music_is_hex(k."logIndex", 1, 7) THEN 'logIndex|a hex quantity 0x…'
             WHEN NOT t.removed_ok THEN 'removed|true or false'
             WHEN t.event = 'batch' THEN 'topics|TransferBatch logs are not imported: split them into TransferSingle'
             WHEN t.event IS NULL OR t.removed THEN NULL
             WHEN NOT (music_is_hex(t.t1, 64, 64) AND music_is_hex(t.t2, 64, 64) AND (t.ntopics < 4 OR music_is_hex(t.t3, 64, 64)))
                  THEN 'topics|topics are 32 bytes as 0x-hex'
             WHEN t.event IN ('erc20', 'erc721') AND NOT (left(t.t1, 26) = '0x000000000000000000000000' AND left(t.t2, 26) = '0x000000000000000000000000')
                  THEN 'topics|an address topic has 12 zero bytes before the 20 of the address'
             WHEN t.event = 'erc1155' AND NOT (left(t.t2, 26) = '0x000000000000000000000000' AND left(t.t3, 26) = '0x000000000000000000000000')
                  THEN 'topics|an address topic has 12 zero bytes before the 20 of the address'
             WHEN t.event = 'erc20' AND NOT music_is_hex(k.data, 64, 64) THEN 'data|the amount as 32 bytes of 0x-hex'
             WHEN t.event = 'erc1155' AND NOT music_is_hex(k.data, 128, 128)
                  THEN 'data|the id and the value as 2 x 32 bytes of 0x-hex'
           END]) AS p (problem)
 CROSS JOIN LATERAL unnest(ARRAY[CASE WHEN p.problem IS NOT NULL OR t.event IS NULL THEN NULL
                                     WHEN t.event = 'erc721' THEN 1
                                     WHEN t.event = 'erc20' THEN music_hex_uint256(k.data)
                                     ELSE music_hex_uint256('0x' || substr(k.data, 67, 64)) END]) AS v (amount)
 WHERE r.doc !~ '^[[:space:]]*$'

-- name: analyze_feed
-- A temporary table has no statistics (autovacuum never sees it): without them the planner
-- takes the parsed feed for a few hundred rows and loops over it once per stored block.
ANALYZE music_chain_feed

-- name: first_problem
SELECT line, field, problem FROM music_chain_feed WHERE problem IS NOT NULL ORDER BY line LIMIT 1

-- name: feed_counts
SELECT count(*) FILTER (WHERE kind = 'block') AS headers,
       count(*) FILTER (WHERE kind = 'transfer') AS logs,
       count(*) FILTER (WHERE kind = 'ignored') AS ignored
  FROM music_chain_feed

-- name: stage_blocks
-- The headers, in file order, cut into segments: a header at or below a height the file has
-- already passed starts a new segment (the file saw a reorg there). Within a segment heights rise.
CREATE TEMP TABLE music_chain_feed_blocks ON COMMIT DROP AS
SELECT s.line, s.number, s.hash, s.parent_hash, s.block_time,
       sum(s.restart) OVER (ORDER BY s.line) AS seg
  FROM (SELECT f.line, f.number, f.hash, f.parent_hash, f.block_time,
               CASE WHEN f.number <= max(f.number) OVER (ORDER BY f.line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                    THEN 1 ELSE 0 END AS restart
          FROM music_chain_feed f
         WHERE f.kind = 'block') s

-- name: analyze_feed_blocks
ANALYZE music_chain_feed_blocks

-- name: broken_link
-- A header right above another of its segment whose parentHash is not that header's hash.
SELECT b.line, b.prev_line, b.number
  FROM (SELECT fb.line, fb.number, fb.parent_hash,
               lag(fb.line) OVER w AS prev_line, lag(fb.number) OVER w AS prev_number, lag(fb.hash) OVER w AS prev_hash
          FROM music_chain_feed_blocks fb
        WINDOW w AS (PARTITION BY fb.seg ORDER BY fb.line)) b
 WHERE b.prev_number = b.number - 1 AND b.prev_hash <> b.parent_hash
 ORDER BY b.line
 LIMIT 1

-- name: contradicted
-- A header whose hash is stored with another number or parent: the feed contradicts what it
-- said before (a replay must repeat a block as it was). One primary-key probe per header.
SELECT fb.line, fb.number, s.number AS stored_number
  FROM music_chain_feed_blocks fb
 CROSS JOIN LATERAL (SELECT b.number, b.parent_hash FROM music_blocks b
                      WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = fb.hash) s
 WHERE s.number <> fb.number OR s.parent_hash <> fb.parent_hash
 ORDER BY fb.line
 LIMIT 1

-- name: segments
SELECT DISTINCT seg FROM music_chain_feed_blocks ORDER BY seg

-- name: first_new_header
-- The lowest header of a segment that is not stored yet, with what the store says about its
-- parent and its height: where a branch starts. The store is probed by primary key once per
-- header (LATERAL … LIMIT 1 is never turned into a join): a join would be planned from
-- music_blocks' statistics, which for an organization's first import say it has no blocks, and
-- scan all of its blocks per header.
SELECT fb.line, fb.number, fb.hash, fb.parent_hash,
       par.number AS parent_number, par.canonical AS parent_canonical,
       (SELECT b.hash FROM music_blocks b
         WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.canonical
           AND b.number = fb.number - 1) AS canonical_below
  FROM music_chain_feed_blocks fb
  LEFT JOIN LATERAL (SELECT b.number, b.canonical FROM music_blocks b
                      WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = fb.parent_hash
                      LIMIT 1) par ON true
  LEFT JOIN LATERAL (SELECT true AS stored FROM music_blocks b
                      WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = fb.hash
                      LIMIT 1) s ON true
 WHERE fb.seg = %(seg)s AND s.stored IS NULL
 ORDER BY fb.number
 LIMIT 1

-- name: head
SELECT number, hash FROM music_blocks
 WHERE organization_id = %(org)s AND chain_id = %(chain_id)s AND canonical
 ORDER BY number DESC LIMIT 1

-- name: orphaned_ancestors
-- The stored, non-canonical ancestors of a block back to the canonical block they fork from:
-- the branch a new header re-adopts. Bounded by the depth of that branch.
WITH RECURSIVE up AS (
    SELECT b.hash, b.parent_hash, b.number, b.canonical, 1 AS steps
      FROM music_blocks b
     WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = %(hash)s
    UNION ALL
    SELECT b.hash, b.parent_hash, b.number, b.canonical, up.steps + 1
      FROM up JOIN music_blocks b
        ON b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = up.parent_hash
     WHERE NOT up.canonical AND up.steps < 100000
)
SELECT hash, number, canonical FROM up ORDER BY number

-- name: orphan_from
-- A reorg: every canonical block from the fork point up leaves the canonical chain; the
-- triggers take their transfers (and those transfers' effect on the holdings) with them.
WITH o AS (
    UPDATE music_blocks SET canonical = false
     WHERE organization_id = %(org)s AND chain_id = %(chain_id)s AND canonical AND number >= %(fork)s
    RETURNING number, hash
)
SELECT count(*) AS depth, max(number) AS old_head,
       (SELECT hash FROM o ORDER BY number DESC LIMIT 1) AS old_head_hash,
       coalesce(array_agg(hash), '{}') AS hashes
  FROM o

-- name: readopt
UPDATE music_blocks SET canonical = true
 WHERE organization_id = %(org)s AND chain_id = %(chain_id)s AND hash = ANY(%(hashes)s) AND NOT canonical

-- name: count_orphaned_transfers
SELECT count(*) AS n FROM music_transfers
 WHERE organization_id = %(org)s AND chain_id = %(chain_id)s AND block_hash = ANY(%(hashes)s)

-- name: insert_headers
-- A stored header (a replay) is skipped by the conflict on the primary key: one probe per header.
INSERT INTO music_blocks (organization_id, chain_id, number, hash, parent_hash, block_time, canonical)
SELECT %(org)s, %(chain_id)s, fb.number, fb.hash, fb.parent_hash, fb.block_time, true
  FROM music_chain_feed_blocks fb
 WHERE fb.seg = %(seg)s
 ORDER BY fb.number
ON CONFLICT (organization_id, chain_id, hash) DO NOTHING

-- name: insert_reorg
INSERT INTO music_chain_reorgs (organization_id, chain_id, fork_block, old_head, old_head_hash, new_block_hash, depth,
                                orphaned_transfers, readopted_blocks)
VALUES (%(org)s, %(chain_id)s, %(fork)s, %(old_head)s, %(old_head_hash)s, %(new_block_hash)s, %(depth)s,
        %(orphaned_transfers)s, %(readopted)s)
RETURNING id, chain_id, fork_block, old_head, old_head_hash, new_block_hash, depth, orphaned_transfers,
          readopted_blocks, reversed_entries, detected_at

-- name: stage_log_blocks
-- What the store says about every block the file's transfer logs name (after the headers are
-- applied), probed by primary key once per distinct block (see first_new_header: a join would
-- be planned from music_blocks' statistics). bad_log and apply_transfers join this, not the store.
CREATE TEMP TABLE music_chain_feed_log_blocks ON COMMIT DROP AS
SELECT h.hash, b.number, b.canonical
  FROM (SELECT DISTINCT f.hash FROM music_chain_feed f WHERE f.kind = 'transfer') h
  LEFT JOIN LATERAL (SELECT b.number, b.canonical FROM music_blocks b
                      WHERE b.organization_id = %(org)s AND b.chain_id = %(chain_id)s AND b.hash = h.hash
                      LIMIT 1) b ON true

-- name: analyze_log_blocks
ANALYZE music_chain_feed_log_blocks

-- name: bad_log
-- A transfer log of a mirrored contract whose block the store does not have (the feed must
-- carry the header before or with its logs), or whose block number or event disagrees.
SELECT f.line,
       CASE WHEN b.number IS NULL THEN 'blockHash' WHEN b.number <> f.number THEN 'blockNumber' ELSE 'topics' END AS field,
       CASE WHEN b.number IS NULL THEN 'no block header with this hash was imported (headers come with their logs)'
            WHEN b.number <> f.number THEN 'not the number of the block with this blockHash'
            ELSE 'a ' || f.standard || ' transfer event from a contract registered as ' || c.standard END AS problem
  FROM music_chain_feed f
  JOIN music_chain_contracts c
    ON c.organization_id = %(org)s AND c.chain_id = %(chain_id)s AND c.address = f.address
  JOIN music_chain_feed_log_blocks b ON b.hash = f.hash
 WHERE f.kind = 'transfer' AND f.number >= c.start_block
   AND (b.number IS NULL OR b.number <> f.number OR c.standard <> f.standard)
 ORDER BY f.line
 LIMIT 1

-- name: apply_transfers
-- The transfer logs of mirrored contracts, set-based. One row per (tx_hash, log_index): of
-- several sightings in the file the one in a canonical block wins, else the last. A stored
-- row moves to the block of a new sighting when that block is canonical or the row's is not
-- (a log re-mined after a reorg), and takes that sighting's content (a re-mined transaction may
-- log otherwise under the same index); a sighting in an orphaned block never displaces a canonical
-- one, so replaying a feed changes nothing. Sorted by key: the primary key grows in order.
WITH s AS (
    SELECT DISTINCT ON (f.tx_hash, f.log_index)
           f.tx_hash, f.log_index, f.number, f.hash, c.id AS contract_id,
           CASE WHEN c.standard = 'erc20' THEN NULL ELSE f.token_id END AS token_id,
           f.from_address, f.to_address, f.amount, b.canonical
      FROM music_chain_feed f
      JOIN music_chain_contracts c
        ON c.organization_id = %(org)s AND c.chain_id = %(chain_id)s AND c.address = f.address
      JOIN music_chain_feed_log_blocks b ON b.hash = f.hash
     WHERE f.kind = 'transfer' AND f.number >= c.start_block
     ORDER BY f.tx_hash, f.log_index, b.canonical DESC, f.line DESC
), w AS (
    INSERT INTO music_transfers AS t (organization_id, chain_id, tx_hash, log_index, block_number, block_hash,
                                      contract_id, token_id, from_address, to_address, amount, canonical)
    SELECT %(org)s, %(chain_id)s, s.tx_hash, s.log_index, s.number, s.hash, s.contract_id, s.token_id,
           s.from_address, s.to_address, s.amount, s.canonical
      FROM s
    ON CONFLICT (organization_id, chain_id, tx_hash, log_index) DO UPDATE
       SET block_hash = excluded.block_hash, block_number = excluded.block_number,
           contract_id = excluded.contract_id, token_id = excluded.token_id, from_address = excluded.from_address,
           to_address = excluded.to_address, amount = excluded.amount
     WHERE t.block_hash <> excluded.block_hash AND (excluded.canonical OR NOT t.canonical)
    RETURNING (xmax = 0) AS fresh
)
SELECT count(*) FILTER (WHERE fresh) AS inserted, count(*) FILTER (WHERE NOT fresh) AS moved FROM w

-- name: apply_nfts
-- Every token an ERC-721 or ERC-1155 contract mints gets its NFT row (master and metadata come later).
INSERT INTO music_nfts (organization_id, contract_id, token_id, master_id)
SELECT DISTINCT %(org)s::uuid, c.id, f.token_id, c.master_id
  FROM music_chain_feed f
  JOIN music_chain_contracts c
    ON c.organization_id = %(org)s AND c.chain_id = %(chain_id)s AND c.address = f.address
 WHERE f.kind = 'transfer' AND f.standard <> 'erc20' AND f.from_address = music_zero_address()
   AND f.number >= c.start_block
ON CONFLICT (organization_id, contract_id, token_id) DO NOTHING

-- name: advance_cursors
-- The feed speaks for every contract of the chain: each one's cursor moves to the chain's head.
-- (updated_at from EXCLUDED: Citus refuses a volatile function in DO UPDATE SET.)
INSERT INTO music_chain_cursors AS k (organization_id, contract_id, chain_id, last_block, last_block_hash, updated_at)
SELECT %(org)s, c.id, c.chain_id, %(head)s, %(head_hash)s, now()
  FROM music_chain_contracts c
 WHERE c.organization_id = %(org)s AND c.chain_id = %(chain_id)s
ON CONFLICT (organization_id, contract_id) DO UPDATE
   SET last_block = excluded.last_block, last_block_hash = excluded.last_block_hash, updated_at = excluded.updated_at
 WHERE (k.last_block, k.last_block_hash) IS DISTINCT FROM (excluded.last_block, excluded.last_block_hash)

-- name: status
SELECT c.id AS contract_id, c.address, c.standard, c.name, c.asset_id, c.start_block,
       k.last_block, k.last_block_hash, k.posted_block, k.updated_at
  FROM music_chain_contracts c
  LEFT JOIN music_chain_cursors k ON k.organization_id = %(org)s AND k.contract_id = c.id
 WHERE c.organization_id = %(org)s AND c.chain_id = %(chain_id)s
 ORDER BY c.created_at, c.id

-- name: holders
-- The largest holders of a contract (of one token, or of all its tokens), at the tip.
SELECT h.token_id, h.address, h.balance
  FROM music_chain_holdings h
 WHERE h.organization_id = %(org)s AND h.contract_id = %(contract_id)s AND h.balance > 0
   AND (%(token_id)s::numeric IS NULL OR h.token_id = %(token_id)s)
 ORDER BY h.balance DESC, h.token_id, h.address
 LIMIT %(limit)s

-- name: list_nfts
SELECT n.id, n.contract_id, n.token_id, n.master_id, n.metadata_uri, n.created_at,
       (SELECT h.address FROM music_chain_holdings h
         WHERE h.organization_id = %(org)s AND h.contract_id = n.contract_id AND h.token_id = n.token_id
           AND h.balance > 0
         ORDER BY h.balance DESC, h.address LIMIT 1) AS owner
  FROM music_nfts n
 WHERE n.organization_id = %(org)s AND (%(contract_id)s::uuid IS NULL OR n.contract_id = %(contract_id)s)
 ORDER BY n.contract_id, n.token_id
 LIMIT %(limit)s

-- name: list_reorgs
SELECT id, chain_id, fork_block, old_head, old_head_hash, new_block_hash, depth, orphaned_transfers,
       readopted_blocks, reversed_entries, detected_at
  FROM music_chain_reorgs
 WHERE organization_id = %(org)s AND (%(chain_id)s::bigint IS NULL OR chain_id = %(chain_id)s)
 ORDER BY detected_at DESC, id DESC
 LIMIT %(limit)s

-- name: verify
SELECT contract_id, token_id, address, problem, expected, actual FROM music_chain_verify()

-- name: stage_postings
-- Canonical transfers of contracts bound to a ledger asset, final (at or below %(final)s) and
-- not yet posted: the posting range of each contract starts after its cursor's posted_block.
CREATE TEMP TABLE music_chain_postings ON COMMIT DROP AS
SELECT t.tx_hash, t.log_index, t.block_number, t.from_address, t.to_address, t.amount, c.asset_id, b.block_time,
       new_id() AS entry_id
  FROM music_chain_contracts c
  JOIN music_chain_cursors k ON k.organization_id = %(org)s AND k.contract_id = c.id
  JOIN music_transfers t
    ON t.organization_id = %(org)s AND t.contract_id = c.id
   AND t.block_number > k.posted_block AND t.block_number <= %(final)s
  CROSS JOIN LATERAL (SELECT b.block_time FROM music_blocks b  -- by primary key (see first_new_header)
                      WHERE b.organization_id = %(org)s AND b.chain_id = t.chain_id AND b.hash = t.block_hash
                      LIMIT 1) b
 WHERE c.organization_id = %(org)s AND c.chain_id = %(chain_id)s AND c.asset_id IS NOT NULL
   AND t.canonical AND t.posted_entry_id IS NULL

-- name: stage_posting_accounts
-- The ledger account of every address the postings name; the zero address is the issuance account.
CREATE TEMP TABLE music_chain_posting_accounts ON COMMIT DROP AS
SELECT a.address,
       CASE WHEN a.address = music_zero_address() THEN music_issuance_account()
            ELSE music_address_account(a.address) END AS account_id
  FROM (SELECT from_address AS address FROM music_chain_postings
        UNION SELECT to_address FROM music_chain_postings) a

-- name: post_entries
INSERT INTO music_journal_entries (organization_id, id, kind, effective_at, chain_id, block_number, memo)
SELECT %(org)s, p.entry_id, 'chain', p.block_time, %(chain_id)s, p.block_number,
       'transfer log ' || p.log_index || ' of tx ' || music_hex(p.tx_hash)
  FROM music_chain_postings p
 ORDER BY p.block_number, p.log_index

-- name: post_lines
-- Both lines of every entry in one statement (the journal's rule): the sender −amount, the receiver +amount.
INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)
SELECT %(org)s, p.entry_id, l.line_no, p.asset_id,
       CASE l.line_no WHEN 1 THEN fa.account_id ELSE ta.account_id END,
       CASE l.line_no WHEN 1 THEN -p.amount ELSE p.amount END
  FROM music_chain_postings p
  JOIN music_chain_posting_accounts fa ON fa.address = p.from_address
  JOIN music_chain_posting_accounts ta ON ta.address = p.to_address
 CROSS JOIN (VALUES (1::smallint), (2::smallint)) AS l (line_no)

-- name: mark_posted
UPDATE music_transfers t SET posted_entry_id = p.entry_id
  FROM music_chain_postings p
 WHERE t.organization_id = %(org)s AND t.chain_id = %(chain_id)s AND t.tx_hash = p.tx_hash AND t.log_index = p.log_index

-- name: advance_posted
UPDATE music_chain_cursors k SET posted_block = %(final)s, updated_at = now()
  FROM music_chain_contracts c
 WHERE k.organization_id = %(org)s AND c.organization_id = %(org)s AND c.id = k.contract_id
   AND c.chain_id = %(chain_id)s AND c.asset_id IS NOT NULL AND k.posted_block < %(final)s

-- name: orphaned_postings
-- Posted transfers a reorg took off the canonical chain, newest first (the order they are reversed in).
SELECT t.tx_hash, t.log_index, t.block_number, t.contract_id, t.posted_entry_id
  FROM music_transfers t
 WHERE t.organization_id = %(org)s AND t.chain_id = %(chain_id)s AND t.posted_entry_id IS NOT NULL AND NOT t.canonical
 ORDER BY t.block_number DESC, t.log_index DESC

-- name: reverse_entry
SELECT music_reverse_entry(%(entry)s, %(memo)s) AS id

-- name: unmark_posted
UPDATE music_transfers SET posted_entry_id = NULL
 WHERE organization_id = %(org)s AND chain_id = %(chain_id)s AND posted_entry_id = ANY(%(entries)s)

-- name: rewind_posted
UPDATE music_chain_cursors SET posted_block = %(block)s, updated_at = now()
 WHERE organization_id = %(org)s AND contract_id = ANY(%(contracts)s) AND posted_block > %(block)s

-- name: count_reversed
UPDATE music_chain_reorgs SET reversed_entries = reversed_entries + %(n)s
 WHERE organization_id = %(org)s AND id = %(id)s
