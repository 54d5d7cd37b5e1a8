-- The mail outbox's queries (docs/mail.md). Names are qualified: some run on the owner's
-- upkeep connection, whose search_path is not mediabase's. Every query of one message names its
-- organization (on Citus: routed to one shard).

-- name: insert_message
INSERT INTO mediabase.mail_outbox (organization_id, recipient_user_id, to_address, subject, body_text, body_html,
                                   kind, dedupe_key, max_attempts)
VALUES (%(org)s, %(recipient_user_id)s, %(to_address)s, %(subject)s, %(body_text)s, %(body_html)s, %(kind)s,
        %(dedupe_key)s, %(max_attempts)s)
ON CONFLICT (organization_id, dedupe_key) DO NOTHING
RETURNING id;

-- name: message_by_key
SELECT id FROM mediabase.mail_outbox WHERE organization_id = %(org)s AND dedupe_key = %(dedupe_key)s;

-- name: give_up_interrupted
-- A claim that ran out on the last allowed attempt: the sender stopped mid-send (killed, lost its
-- connection); at most max_attempts tries, so it is given up.
UPDATE mediabase.mail_outbox
   SET status = 'dead', last_error = 'the last attempt was interrupted (the sender stopped before it could tell)'
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'sending' AND next_attempt_at <= now()
   AND attempts >= max_attempts;

-- name: claim_message
-- Take a due message for one attempt: queued, failed and due, or in a sender's hands whose claim
-- ran out. The claim lasts claim_seconds; next_attempt_at says until when.
UPDATE mediabase.mail_outbox
   SET status = 'sending', attempts = attempts + 1,
       next_attempt_at = now() + make_interval(secs => %(claim_seconds)s)
 WHERE organization_id = %(org)s AND id = %(id)s AND status IN ('queued', 'failed', 'sending')
   AND next_attempt_at <= now() AND attempts < max_attempts
RETURNING id, organization_id, to_address, subject, body_text, body_html, kind, created_at, attempts, max_attempts;

-- name: message_state
SELECT status, attempts, next_attempt_at FROM mediabase.mail_outbox WHERE organization_id = %(org)s AND id = %(id)s;

-- name: mark_sent
-- Only the attempt that holds the claim records its outcome (a later claim counted one more attempt).
UPDATE mediabase.mail_outbox SET status = 'sent', sent_at = now(), last_error = NULL
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'sending' AND attempts = %(attempt)s;

-- name: mark_failed
-- A failed attempt: the status is dead (it cannot succeed, or was the last attempt) or failed, due
-- again after the delay (computed by the caller: on Citus an UPDATE may not call a STABLE
-- function, such as timestamptz + interval, with a column in its arguments).
UPDATE mediabase.mail_outbox
   SET status = %(status)s, last_error = %(error)s, next_attempt_at = now() + make_interval(secs => %(delay)s)
 WHERE organization_id = %(org)s AND id = %(id)s AND status = 'sending' AND attempts = %(attempt)s
RETURNING status, next_attempt_at;

-- name: retry_message
-- By hand: a failed or dead message is queued again now, with a fresh budget of attempts.
UPDATE mediabase.mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = now()
 WHERE organization_id = %(org)s AND id = %(id)s AND status IN ('failed', 'dead')
RETURNING id;

-- name: due_messages
-- What is due in one organization (or, with org NULL, in all: as the owner), oldest first.
SELECT organization_id, id, attempts
  FROM mediabase.mail_outbox
 WHERE status IN ('queued', 'failed', 'sending') AND next_attempt_at <= now() - make_interval(secs => %(grace)s)
   AND (%(org)s::uuid IS NULL OR organization_id = %(org)s)
 ORDER BY next_attempt_at
 LIMIT %(limit)s;

-- name: summary_columns
SELECT id, kind, recipient_user_id, to_address, subject, status, attempts, max_attempts, last_error, next_attempt_at,
       sent_at, created_at, updated_at
  FROM mediabase.mail_outbox;

-- name: message_columns
SELECT id, kind, recipient_user_id, to_address, subject, status, attempts, max_attempts, last_error, next_attempt_at,
       sent_at, created_at, updated_at, dedupe_key, body_text, body_html
  FROM mediabase.mail_outbox;
