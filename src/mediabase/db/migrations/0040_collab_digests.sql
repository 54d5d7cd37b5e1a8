-- 0040_collab_digests: the mail outbox and the decision digests (issue 14; docs/mail.md,
-- docs/collab.md "Digests").
--
--   mail_outbox            one row per e-mail mediabase sends (mediabase.mail): who it is for, the
--                          address as it was when queued, subject and bodies, and its delivery state
--                          (queued -> sending -> sent | failed -> ... | dead). A row is written in the
--                          transaction that decides the mail exists, with a `mail.send` job; the
--                          job sends it and records the outcome. dedupe_key is unique per
--                          organization: the same mail queued twice is one row.
--   notification_digests   one row per member, frequency (daily, weekly) and period (a UTC day, an
--                          ISO week from Monday 00:00 UTC): the notifications it gathered point at it
--                          (notifications.digest_id), and it points at its mail. Written in one
--                          transaction with the mail and the marks, so a crash neither loses a digest
--                          nor makes two (mediabase.collab.digests).
--
-- Both are tenant tables (organization_id leads every key, composite foreign keys, row-level
-- security, distributed by organization on Citus). The sender's state changes (status, attempts,
-- next_attempt_at, last_error, sent_at) are bookkeeping: the audit log records a message's creation
-- without its bodies and none of its delivery steps (the row itself is that history).

-- -- the mail outbox --------------------------------------------------------------------------------

CREATE TABLE mail_outbox (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    -- the member it is for (NULL: mail to someone who is no member, e.g. an invitation); a member
    -- who leaves takes their mail with them (nothing of the organization reaches them after that)
    recipient_user_id uuid,
    to_address        text NOT NULL CONSTRAINT mail_outbox_to_address_format
        CHECK (to_address ~ '^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$' AND length(to_address) <= 320),
    subject           text NOT NULL CONSTRAINT mail_outbox_subject_format
        CHECK (length(btrim(subject)) BETWEEN 1 AND 500 AND subject !~ '[\r\n]'),
    body_text         text NOT NULL CONSTRAINT mail_outbox_body_text_length
        CHECK (length(btrim(body_text)) BETWEEN 1 AND 1000000),
    body_html         text CONSTRAINT mail_outbox_body_html_length CHECK (length(body_html) BETWEEN 1 AND 2000000),
    kind              text NOT NULL CONSTRAINT mail_outbox_kind_format
        CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    dedupe_key        text NOT NULL CONSTRAINT mail_outbox_dedupe_key_length
        CHECK (length(dedupe_key) BETWEEN 1 AND 200 AND dedupe_key !~ '[[:cntrl:]]'),
    status            text NOT NULL DEFAULT 'queued'
        CONSTRAINT mail_outbox_status_valid CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead')),
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL DEFAULT 10 CONSTRAINT mail_outbox_max_attempts_range CHECK (max_attempts BETWEEN 1 AND 100),
    last_error        text CONSTRAINT mail_outbox_last_error_length CHECK (length(last_error) BETWEEN 1 AND 2000),
    -- queued, failed: not before this instant; sending: when the sender's claim runs out (a sender
    -- that died mid-send leaves the row to be taken again then)
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT mail_outbox_dedupe_key_key UNIQUE (organization_id, dedupe_key),
    CONSTRAINT mail_outbox_recipient_fk FOREIGN KEY (organization_id, recipient_user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT mail_outbox_attempts_range CHECK (attempts BETWEEN 0 AND max_attempts),
    -- sending, sent and failed follow an attempt; queued (again, after a retry by hand) and dead may not
    CONSTRAINT mail_outbox_attempted CHECK (status IN ('queued', 'dead') OR attempts >= 1),
    CONSTRAINT mail_outbox_sent_at_iff_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CONSTRAINT mail_outbox_sent_after_created CHECK (sent_at >= created_at),
    CONSTRAINT mail_outbox_error_when_failed CHECK (status NOT IN ('failed', 'dead') OR last_error IS NOT NULL)
);
SELECT declare_table('mail_outbox', 'distributed');
-- what is waiting (queued, failed) or in a sender's hands (sending), by when it is due: the
-- sender's recovery sweep across organizations and `mediabase mail send`
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, organization_id)
    WHERE status IN ('queued', 'failed', 'sending');
-- the organization's outbox, newest first (GET /mail/outbox, mediabase mail list)
CREATE INDEX mail_outbox_created_idx ON mail_outbox (organization_id, created_at DESC, id DESC);
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (organization_id, recipient_user_id)
    WHERE recipient_user_id IS NOT NULL;
CREATE TRIGGER mail_outbox_touch BEFORE UPDATE ON mail_outbox FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER mail_outbox_immutable BEFORE UPDATE ON mail_outbox
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'recipient_user_id', 'to_address', 'subject', 'body_text', 'body_html', 'kind', 'dedupe_key',
        'max_attempts', 'created_at');
-- sending -> sending: a claim that ran out taken again; sending -> queued: handed back untried
CREATE TRIGGER mail_outbox_status_transition BEFORE INSERT OR UPDATE OF status ON mail_outbox
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>queued', 'queued>sending', 'failed>sending', 'sending>sent', 'sending>failed', 'sending>dead',
        'sending>queued', 'failed>queued', 'dead>queued');
SELECT make_tenant_table('mail_outbox');
-- the application role queues mail and moves it along; what a message says never changes
REVOKE UPDATE, DELETE ON mail_outbox FROM mediabase_app;
GRANT UPDATE (status, attempts, last_error, next_attempt_at, sent_at, updated_at) ON mail_outbox TO mediabase_app;
SELECT audit_table('mail_outbox', '{body_text,body_html}',
                   '{status,attempts,last_error,next_attempt_at,sent_at}');

-- -- decision digests ---------------------------------------------------------------------------------

CREATE TABLE notification_digests (
    organization_id    uuid NOT NULL,
    id                 uuid NOT NULL DEFAULT new_id(),
    user_id            uuid NOT NULL,
    frequency          text NOT NULL CONSTRAINT notification_digests_frequency_valid
        CHECK (frequency IN ('daily', 'weekly')),
    -- the period it closes: [period_start, period_end), a UTC day or an ISO week (Monday 00:00 UTC)
    period_start       timestamptz NOT NULL,
    period_end         timestamptz NOT NULL,
    notification_count integer NOT NULL CONSTRAINT notification_digests_count_positive CHECK (notification_count >= 1),
    -- its mail; NULL exactly when it was not mailed, and then `skipped` says why
    message_id         uuid,
    skipped            text CONSTRAINT notification_digests_skipped_valid CHECK (skipped IN ('email_off', 'inactive', 'bad_address')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- one digest per member, frequency and period: the second composer finds it and stops
    CONSTRAINT notification_digests_period_key UNIQUE (organization_id, user_id, frequency, period_start),
    -- the target of notifications' key: a notification goes into its own member's digest of its own frequency
    CONSTRAINT notification_digests_member_key UNIQUE (organization_id, user_id, frequency, id),
    CONSTRAINT notification_digests_message_key UNIQUE (organization_id, message_id),
    CONSTRAINT notification_digests_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    -- the mail outlives nothing of its digest: deleting a digest's mail is refused
    CONSTRAINT notification_digests_message_fk FOREIGN KEY (organization_id, message_id)
        REFERENCES mail_outbox (organization_id, id),
    CONSTRAINT notification_digests_mailed_or_skipped CHECK ((message_id IS NULL) = (skipped IS NOT NULL)),
    CONSTRAINT notification_digests_period_shape CHECK (CASE frequency
        WHEN 'daily' THEN period_end = period_start + interval '1 day'
                          AND date_trunc('day', period_start AT TIME ZONE 'UTC') = period_start AT TIME ZONE 'UTC'
        ELSE period_end = period_start + interval '7 days'
             AND date_trunc('week', period_start AT TIME ZONE 'UTC') = period_start AT TIME ZONE 'UTC' END),
    -- a digest is composed once its period has ended
    CONSTRAINT notification_digests_period_closed CHECK (period_end <= created_at)
);
SELECT declare_table('notification_digests', 'distributed');
CREATE INDEX notification_digests_user_idx ON notification_digests (organization_id, user_id, created_at DESC);
CREATE TRIGGER notification_digests_immutable BEFORE UPDATE ON notification_digests
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'user_id', 'frequency', 'period_start', 'period_end', 'notification_count', 'message_id', 'skipped',
        'created_at');
SELECT make_tenant_table('notification_digests');
-- a member reads their own digests (as their notifications); digests are composed by the worker,
-- as the owner, never by the application role
CREATE POLICY own_rows ON notification_digests AS RESTRICTIVE
    USING (user_id = mediabase.current_user_id()) WITH CHECK (user_id = mediabase.current_user_id());
REVOKE INSERT, UPDATE, DELETE ON notification_digests FROM mediabase_app;
SELECT audit_table('notification_digests');

-- -- notifications: which digest took a daily or weekly one -------------------------------------------

-- (one subcommand per ALTER TABLE: Citus refuses ADD CONSTRAINT beside other subcommands)
ALTER TABLE notifications ADD COLUMN digest_id uuid;
ALTER TABLE notifications
    ADD CONSTRAINT notifications_digest_only_batched CHECK (digest_id IS NULL OR delivery <> 'instant');
ALTER TABLE notifications
    ADD CONSTRAINT notifications_digest_fk FOREIGN KEY (organization_id, user_id, delivery, digest_id)
        REFERENCES notification_digests (organization_id, user_id, frequency, id);
CREATE INDEX notifications_digest_idx ON notifications (organization_id, digest_id) WHERE digest_id IS NOT NULL;
-- what the composer looks for: batched notifications in no digest yet (a small set)
CREATE INDEX notifications_digest_pending_idx ON notifications (organization_id, user_id, delivery, created_at)
    WHERE digest_id IS NULL AND delivery <> 'instant';

-- Once in a digest, a notification stays in it.
CREATE FUNCTION mediabase.notifications_digest_final() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.digest_id IS NOT NULL AND NEW.digest_id IS DISTINCT FROM OLD.digest_id THEN
        RAISE EXCEPTION 'a notification stays in the digest that took it'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notifications_digest_final', COLUMN = 'digest_id';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER notifications_digest_final BEFORE UPDATE OF digest_id ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_digest_final();
