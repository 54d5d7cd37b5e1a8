-- V Studio's SQL (0033_music_studio.sql; docs/music-catalog.md). Every query names the tenant.

-- name: session_columns
SELECT id, master_id, title, description, opens_at, closes_at, weighting, asset_id, created_by, created_at
  FROM music_studio_sessions

-- name: master_share_asset
SELECT id FROM music_assets WHERE organization_id = %(org)s AND master_id = %(master)s AND kind = 'master_share'

-- name: insert_session
INSERT INTO music_studio_sessions (organization_id, master_id, title, description, opens_at, closes_at, weighting,
                                   asset_id, created_by)
VALUES (%(org)s, %(master_id)s, %(title)s, %(description)s, %(opens_at)s, %(closes_at)s, %(weighting)s,
        %(asset)s, %(user)s)
RETURNING id

-- name: insert_options
INSERT INTO music_studio_options (organization_id, session_id, label, position)
SELECT %(org)s, %(session)s, o.label, o.n FROM unnest(%(labels)s::text[]) WITH ORDINALITY AS o (label, n)

-- name: options
SELECT id, label, position FROM music_studio_options
 WHERE organization_id = %(org)s AND session_id = %(session)s ORDER BY position

-- name: list_sessions
SELECT id, master_id, title, description, opens_at, closes_at, weighting, asset_id, created_by, created_at
  FROM music_studio_sessions
 WHERE organization_id = %(org)s AND master_id = %(master)s
 ORDER BY opens_at DESC, id DESC

-- name: cast_vote
-- A vote, or a re-vote that changes the option (the trigger checks the window and sets the weight).
INSERT INTO music_studio_votes (organization_id, session_id, user_id, option_id, weight)
VALUES (%(org)s, %(session)s, %(user)s, %(option)s, 1)
ON CONFLICT (organization_id, session_id, user_id) DO UPDATE SET option_id = EXCLUDED.option_id
RETURNING session_id, user_id, option_id, weight, cast_at

-- name: tally
SELECT o.id AS option_id, o.label, o.position, count(v.user_id)::int AS votes,
       coalesce(sum(v.weight), 0) AS weight
  FROM music_studio_options o
  LEFT JOIN music_studio_votes v
         ON v.organization_id = %(org)s AND v.session_id = o.session_id AND v.option_id = o.id
 WHERE o.organization_id = %(org)s AND o.session_id = %(session)s
 GROUP BY o.id, o.label, o.position
 ORDER BY o.position
