-- Integrations (docs/integrations.md). Every tenant query names its organization, but for
-- webhook_target: a webhook's URL has only the account's id.

-- name: account_columns
SELECT a.id, a.provider, a.external_account_id, a.display_name, a.scopes, a.status, a.status_detail,
       a.sync_cursor, a.sync_cursor_updated_at, a.token_expires_at,
       a.has_access_token, a.has_refresh_token, a.has_webhook_secret,
       a.secrets_key_id, a.connected_by, a.created_at, a.updated_at
  FROM integration_accounts a

-- name: insert_account
-- As the application role: it may write the sealed columns, and reads back only the rest. The id
-- is drawn first (new_id()): the sealed values are bound to it.
INSERT INTO integration_accounts AS a (id, organization_id, provider, external_account_id, display_name, scopes,
                                       access_token_enc, refresh_token_enc, token_expires_at, webhook_secret_enc,
                                       secrets_key_id, connected_by)
VALUES (%(id)s, %(org)s, %(provider)s, %(external_account_id)s, %(display_name)s, %(scopes)s,
        %(access_token_enc)s, %(refresh_token_enc)s, %(token_expires_at)s, %(webhook_secret_enc)s,
        %(secrets_key_id)s, %(connected_by)s)

-- name: account_sealed
-- The sealed secrets of one account (owner pool only), locked for a change of them.
SELECT id, provider, status, access_token_enc, refresh_token_enc, token_expires_at, webhook_secret_enc,
       secrets_key_id, connected_by, sync_cursor
  FROM integration_accounts
 WHERE organization_id = %(org)s AND id = %(id)s
   FOR UPDATE

-- name: update_sealed
UPDATE integration_accounts
   SET access_token_enc = %(access_token_enc)s, refresh_token_enc = %(refresh_token_enc)s,
       token_expires_at = %(token_expires_at)s, webhook_secret_enc = %(webhook_secret_enc)s,
       secrets_key_id = %(secrets_key_id)s
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: webhook_target
-- The account a webhook names (owner pool; by id alone: on Citus every shard is asked).
SELECT organization_id, id, provider, status, webhook_secret_enc, secrets_key_id
  FROM integration_accounts
 WHERE id = %(id)s

-- name: insert_event
-- Stored once per (organization, provider, delivery id); nothing when it is there already.
INSERT INTO integration_events (organization_id, account_id, provider, delivery_id, event_type, payload,
                                body_sha256, secrets_enc, secrets_key_id)
VALUES (%(org)s, %(account_id)s, %(provider)s, %(delivery_id)s, %(event_type)s, %(payload)s,
        %(body_sha256)s, %(secrets_enc)s, %(secrets_key_id)s)
ON CONFLICT ON CONSTRAINT integration_events_delivery_key DO NOTHING
RETURNING id

-- name: event_by_delivery
SELECT id FROM integration_events
 WHERE organization_id = %(org)s AND provider = %(provider)s AND delivery_id = %(delivery_id)s

-- name: event_to_process
-- The event, its sealed fields (owner pool) and who connected its account.
SELECT e.id, e.account_id, e.provider, e.delivery_id, e.event_type, e.payload, e.secrets_enc, e.secrets_key_id,
       e.status, a.connected_by
  FROM integration_events e
  JOIN integration_accounts a ON a.organization_id = e.organization_id AND a.id = e.account_id
 WHERE e.organization_id = %(org)s AND e.id = %(id)s

-- name: finish_event
-- Done (processed, ignored or failed): its secrets are of no more use and go.
UPDATE integration_events
   SET status = %(status)s, result = %(result)s, error = %(error)s, processed_at = now(),
       secrets_enc = NULL, secrets_key_id = NULL
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'received'

-- name: event_columns
SELECT id, account_id, provider, delivery_id, event_type, payload, body_sha256, status, result, error,
       received_at, processed_at
  FROM integration_events

-- name: acting_member
-- Who an import acts as: the member who connected the account, else the organization's first OWNER.
SELECT m.user_id, m.role
  FROM memberships m
 WHERE m.organization_id = %(org)s AND (m.user_id = %(user_id)s OR m.role = 'OWNER')
 ORDER BY m.user_id = %(user_id)s DESC NULLS LAST, m.created_at, m.user_id
 LIMIT 1

-- name: items_for
-- What of these external ids is imported already, and as what.
SELECT external_id, kind, video_id, transcript_id
  FROM integration_external_items
 WHERE organization_id = %(org)s AND provider = %(provider)s AND external_id = ANY (%(external_ids)s)

-- name: insert_item
INSERT INTO integration_external_items (organization_id, provider, external_id, kind, account_id, video_id,
                                        transcript_id)
VALUES (%(org)s, %(provider)s, %(external_id)s, %(kind)s, %(account_id)s, %(video_id)s, %(transcript_id)s)

-- name: lock_account
-- The account an import writes through, locked: its cursor moves under the lock.
SELECT provider, status, sync_cursor
  FROM integration_accounts
 WHERE organization_id = %(org)s AND id = %(id)s
   FOR UPDATE

-- name: set_cursor
UPDATE integration_accounts SET sync_cursor = %(cursor)s, sync_cursor_updated_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: set_status
-- The worker's word on an active account (credentials refused): an admin's pause or revoke stays.
UPDATE integration_accounts SET status = %(status)s, status_detail = %(detail)s
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'active'

-- name: item_columns
SELECT id, provider, external_id, kind, account_id, video_id, transcript_id, imported_at
  FROM integration_external_items

-- name: sealed_under_other_keys
-- Key rotation: rows with something sealed under another key than the current one (owner pool).
SELECT organization_id, id, 'account' AS what FROM integration_accounts
 WHERE secrets_key_id IS NOT NULL AND secrets_key_id <> %(current)s
UNION ALL
SELECT organization_id, id, 'event' FROM integration_events
 WHERE secrets_key_id IS NOT NULL AND secrets_key_id <> %(current)s

-- name: event_sealed
SELECT provider, delivery_id, secrets_enc, secrets_key_id FROM integration_events
 WHERE organization_id = %(org)s AND id = %(id)s
   FOR UPDATE

-- name: update_event_sealed
UPDATE integration_events SET secrets_enc = %(secrets_enc)s, secrets_key_id = %(secrets_key_id)s
 WHERE organization_id = %(org)s AND id = %(id)s
