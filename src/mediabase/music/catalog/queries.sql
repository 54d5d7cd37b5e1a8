-- The music catalog's SQL (0028 spine, 0029_music_catalog.sql; docs/music-catalog.md). Every
-- query names the tenant (%(org)s) itself; row-level security stays the guard behind it.

-- -- roles -------------------------------------------------------------------------------------

-- name: grant_role
INSERT INTO music_roles (organization_id, user_id, role, granted_by)
VALUES (%(org)s, %(user_id)s, %(role)s, %(by)s)
ON CONFLICT (organization_id, user_id, role) DO NOTHING

-- name: revoke_role
DELETE FROM music_roles WHERE organization_id = %(org)s AND user_id = %(user_id)s AND role = %(role)s

-- name: list_roles
SELECT user_id, role, granted_by, granted_at
  FROM music_roles
 WHERE organization_id = %(org)s AND (%(role)s::text IS NULL OR role = %(role)s)
   AND (%(user_id)s::uuid IS NULL OR user_id = %(user_id)s)
 ORDER BY user_id, role

-- name: has_role
SELECT EXISTS (SELECT FROM music_roles WHERE organization_id = %(org)s AND user_id = %(user_id)s AND role = %(role)s)
       AS has

-- name: is_member
SELECT EXISTS (SELECT FROM memberships WHERE organization_id = %(org)s AND user_id = %(user_id)s) AS member

-- -- artists and producers ---------------------------------------------------------------------

-- name: artist_columns
SELECT id, user_id, name, slug, bio, created_at, updated_at FROM music_artists

-- name: producer_columns
SELECT id, user_id, name, slug, bio, created_at, updated_at FROM music_producers

-- name: insert_artist
INSERT INTO music_artists (organization_id, user_id, name, slug, bio)
VALUES (%(org)s, %(user_id)s, %(name)s, %(slug)s, %(bio)s)
RETURNING id

-- name: insert_producer
INSERT INTO music_producers (organization_id, user_id, name, slug, bio)
VALUES (%(org)s, %(user_id)s, %(name)s, %(slug)s, %(bio)s)
RETURNING id

-- name: list_artists
SELECT id, user_id, name, slug, bio, created_at, updated_at
  FROM music_artists WHERE organization_id = %(org)s ORDER BY name, id

-- name: list_producers
SELECT id, user_id, name, slug, bio, created_at, updated_at
  FROM music_producers WHERE organization_id = %(org)s ORDER BY name, id

-- name: lock_artist
SELECT id, user_id FROM music_artists WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: lock_producer
SELECT id, user_id FROM music_producers WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- -- masters -----------------------------------------------------------------------------------

-- name: master_columns
SELECT id, artist_id, title, master_type, status, isrc, duration_ms, video_id, created_by, released_at,
       created_at, updated_at
  FROM music_masters

-- name: insert_master
INSERT INTO music_masters (organization_id, artist_id, title, master_type, isrc, duration_ms, video_id, created_by)
VALUES (%(org)s, %(artist_id)s, %(title)s, %(master_type)s, %(isrc)s, %(duration_ms)s, %(video_id)s, %(user)s)
RETURNING id

-- name: list_masters
-- A page of masters, newest first (keyset on created_at, id), of one artist or status if asked.
SELECT id, artist_id, title, master_type, status, isrc, duration_ms, video_id, created_by, released_at,
       created_at, updated_at
  FROM music_masters
 WHERE organization_id = %(org)s
   AND (%(artist)s::uuid IS NULL OR artist_id = %(artist)s)
   AND (%(status)s::text IS NULL OR status = %(status)s)
 ORDER BY created_at DESC, id DESC
 LIMIT %(limit)s

-- name: lock_master
-- The master and the user its artist profile belongs to (who besides an ADMIN may edit it).
SELECT m.id, m.status, a.user_id AS artist_user_id
  FROM music_masters m
  JOIN music_artists a ON a.organization_id = %(org)s AND a.id = m.artist_id
 WHERE m.organization_id = %(org)s AND m.id = %(id)s
   FOR NO KEY UPDATE OF m

-- name: master_artist_user
SELECT a.user_id AS artist_user_id
  FROM music_masters m
  JOIN music_artists a ON a.organization_id = %(org)s AND a.id = m.artist_id
 WHERE m.organization_id = %(org)s AND m.id = %(id)s

-- -- credits -----------------------------------------------------------------------------------

-- name: insert_credit
INSERT INTO music_master_credits (organization_id, master_id, producer_id, role)
VALUES (%(org)s, %(master)s, %(producer_id)s, %(role)s)
ON CONFLICT (organization_id, master_id, producer_id, role) DO NOTHING

-- name: delete_credit
DELETE FROM music_master_credits
 WHERE organization_id = %(org)s AND master_id = %(master)s AND producer_id = %(producer_id)s AND role = %(role)s

-- name: list_credits
SELECT c.master_id, c.producer_id, p.name AS producer_name, c.role, c.created_at
  FROM music_master_credits c
  JOIN music_producers p ON p.organization_id = %(org)s AND p.id = c.producer_id
 WHERE c.organization_id = %(org)s AND c.master_id = %(master)s
 ORDER BY c.created_at, p.name, c.role

-- -- contracts ---------------------------------------------------------------------------------

-- name: contract_columns
SELECT id, master_id, version, status, terms, notes, signed_by, signed_at, superseded_at, created_by, created_at
  FROM music_contracts

-- name: insert_contract
INSERT INTO music_contracts (organization_id, master_id, terms, notes, created_by)
VALUES (%(org)s, %(master)s, %(terms)s, %(notes)s, %(user)s)
RETURNING id, version

-- name: insert_splits
-- All lines of a version in one statement (line_no 1..n in the order given).
INSERT INTO music_contract_splits (organization_id, contract_id, line_no, party, artist_id, producer_id, label_name, bps)
SELECT %(org)s, %(contract)s, s.n, s.party, s.artist_id, s.producer_id, s.label_name, s.bps
  FROM unnest(%(parties)s::text[], %(artists)s::uuid[], %(producers)s::uuid[], %(labels)s::text[], %(bps)s::int[])
       WITH ORDINALITY AS s (party, artist_id, producer_id, label_name, bps, n)

-- name: delete_splits
DELETE FROM music_contract_splits WHERE organization_id = %(org)s AND contract_id = %(contract)s

-- name: contract_splits
SELECT contract_id, party, artist_id, producer_id, label_name, bps
  FROM music_contract_splits
 WHERE organization_id = %(org)s AND contract_id = ANY (%(contracts)s::uuid[])
 ORDER BY contract_id, line_no

-- name: list_contracts
SELECT id, master_id, version, status, terms, notes, signed_by, signed_at, superseded_at, created_by, created_at
  FROM music_contracts
 WHERE organization_id = %(org)s AND master_id = %(master)s
 ORDER BY version

-- name: contract_in_force
SELECT id, master_id, version, status, terms, notes, signed_by, signed_at, superseded_at, created_by, created_at
  FROM music_contracts
 WHERE organization_id = %(org)s AND master_id = %(master)s AND status = 'signed'

-- name: lock_contract
SELECT id, master_id, status FROM music_contracts WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: update_contract
UPDATE music_contracts SET terms = coalesce(%(terms)s, terms), notes = CASE WHEN %(set_notes)s THEN %(notes)s ELSE notes END
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: sign_contract
SELECT mediabase.music_sign_contract(%(id)s) AS version
