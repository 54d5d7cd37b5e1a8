-- 0033_music_studio: V Studio (seed 004): sessions in which a master's community votes on
-- options (a mix, a cover, a single's B-side …) while the session is open (docs/music-catalog.md,
-- "V Studio").
--
--   music_studio_sessions   per master: a window opens_at < closes_at; weighting one_per_member
--                           (each vote weighs 1) or holdings (a vote weighs the voter's holdings of
--                           the master's share asset at opens_at)
--   music_studio_options    what a session votes on, in display order; frozen once votes exist
--   music_studio_votes      one per session and member (the key); accepted only while the session
--                           is open, by a trigger comparing the statement's time with the window
--                           (music_studio_votes_window); the weight is the trigger's, never the
--                           client's. A re-vote before closing changes the option (an UPDATE of
--                           option_id, checked against the window too); a vote is never withdrawn.
--
-- Tenancy as everywhere (DESIGN.md 5); triggers touch only their own organization's rows.

CREATE TABLE music_studio_sessions (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    master_id       uuid NOT NULL,
    title           text NOT NULL CONSTRAINT music_studio_sessions_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    description     text CONSTRAINT music_studio_sessions_description_length CHECK (length(description) <= 10000),
    opens_at        timestamptz NOT NULL,
    closes_at       timestamptz NOT NULL,
    weighting       text NOT NULL DEFAULT 'one_per_member'
        CONSTRAINT music_studio_sessions_weighting_valid CHECK (weighting IN ('one_per_member', 'holdings')),
    -- the master's share asset, whose holdings at opens_at weigh the votes (holdings weighting only)
    asset_id        uuid,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_studio_sessions_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_studio_sessions_asset_fk FOREIGN KEY (organization_id, asset_id)
        REFERENCES music_assets (organization_id, id),
    CONSTRAINT music_studio_sessions_window CHECK (opens_at < closes_at),
    CONSTRAINT music_studio_sessions_asset_iff_holdings CHECK ((weighting = 'holdings') = (asset_id IS NOT NULL))
);
SELECT declare_table('music_studio_sessions', 'distributed');
CREATE INDEX music_studio_sessions_master_idx ON music_studio_sessions (organization_id, master_id, opens_at DESC);
CREATE INDEX music_studio_sessions_asset_idx ON music_studio_sessions (organization_id, asset_id)
    WHERE asset_id IS NOT NULL;
CREATE INDEX music_studio_sessions_created_by_idx ON music_studio_sessions (created_by) WHERE created_by IS NOT NULL;
-- what a vote was cast under never moves: window, weighting and asset are fixed at creation
CREATE TRIGGER music_studio_sessions_immutable BEFORE UPDATE ON music_studio_sessions
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'master_id', 'opens_at', 'closes_at', 'weighting', 'asset_id', 'created_by', 'created_at');

-- A holdings-weighted session counts the master's own share asset.
CREATE FUNCTION mediabase.music_studio_sessions_asset_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF NEW.asset_id IS NOT NULL AND NOT EXISTS (
           SELECT FROM music_assets a
            WHERE a.organization_id = NEW.organization_id AND a.id = NEW.asset_id
              AND a.kind = 'master_share' AND a.master_id = NEW.master_id) THEN
        RAISE EXCEPTION 'a holdings-weighted session counts the share asset of its own master'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_sessions_asset_of_master', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_studio_sessions_asset_of_master"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_studio_sessions_asset_check BEFORE INSERT ON music_studio_sessions
    FOR EACH ROW EXECUTE FUNCTION music_studio_sessions_asset_check();

CREATE TABLE music_studio_options (
    organization_id uuid NOT NULL,
    session_id      uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    label           text NOT NULL CONSTRAINT music_studio_options_label_length CHECK (length(btrim(label)) BETWEEN 1 AND 300),
    position        integer NOT NULL CONSTRAINT music_studio_options_position_positive CHECK (position >= 1),
    PRIMARY KEY (organization_id, id),
    -- what a vote's (session, option) pair points at: the option is one of the session's
    CONSTRAINT music_studio_options_session_id_key UNIQUE (organization_id, session_id, id),
    CONSTRAINT music_studio_options_position_key UNIQUE (organization_id, session_id, position)
        DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT music_studio_options_session_fk FOREIGN KEY (organization_id, session_id)
        REFERENCES music_studio_sessions (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('music_studio_options', 'distributed');

-- The options are what was voted on: once a session has votes they stay as they are.
CREATE FUNCTION mediabase.music_studio_options_frozen() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;  -- the session's cascade
    END IF;
    IF EXISTS (SELECT FROM music_studio_votes v WHERE v.organization_id = r.organization_id
                                                  AND v.session_id = r.session_id) THEN
        RAISE EXCEPTION 'the session has votes: its options cannot change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_options_frozen',
                  DETAIL = 'constraint "music_studio_options_frozen"';
    END IF;
    RETURN r;
END
$$;

CREATE TABLE music_studio_votes (
    organization_id uuid NOT NULL,
    session_id      uuid NOT NULL,
    user_id         uuid NOT NULL,
    option_id       uuid NOT NULL,
    -- set by music_studio_votes_cast: 1, or the voter's holdings at the session's opening
    weight          numeric(78, 0) NOT NULL CONSTRAINT music_studio_votes_weight_positive CHECK (weight > 0),
    cast_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, session_id, user_id),
    CONSTRAINT music_studio_votes_session_fk FOREIGN KEY (organization_id, session_id)
        REFERENCES music_studio_sessions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_studio_votes_option_fk FOREIGN KEY (organization_id, session_id, option_id)
        REFERENCES music_studio_options (organization_id, session_id, id),
    -- a voter is a member of the organization; their votes go when they leave
    CONSTRAINT music_studio_votes_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE
);
SELECT declare_table('music_studio_votes', 'distributed');
CREATE INDEX music_studio_votes_option_idx ON music_studio_votes (organization_id, session_id, option_id);
CREATE INDEX music_studio_votes_user_idx ON music_studio_votes (organization_id, user_id);

CREATE TRIGGER music_studio_options_frozen BEFORE INSERT OR UPDATE OR DELETE ON music_studio_options
    FOR EACH ROW EXECUTE FUNCTION music_studio_options_frozen();

-- A vote counts only while its session is open: opens_at <= the statement's time < closes_at
-- (insert and re-vote alike). Its weight is the database's: 1, or the voter's holdings of the
-- session's asset at opens_at through their user account (no holdings: refused).
CREATE FUNCTION mediabase.music_studio_votes_cast() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    s     record;
    t     timestamptz := statement_timestamp();
    held  numeric;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.session_id <> OLD.session_id OR NEW.user_id <> OLD.user_id) THEN
        RAISE EXCEPTION 'a vote stays with its session and voter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_immutable',
                  DETAIL = 'constraint "music_studio_votes_immutable"';
    END IF;
    SELECT x.opens_at, x.closes_at, x.weighting, x.asset_id INTO s FROM music_studio_sessions x
     WHERE x.organization_id = NEW.organization_id AND x.id = NEW.session_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'studio session % does not exist', NEW.session_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_studio_votes_session_fk',
                  DETAIL = 'constraint "music_studio_votes_session_fk"';
    END IF;
    IF t < s.opens_at OR t >= s.closes_at THEN
        RAISE EXCEPTION 'the session takes votes from % until %, not at %', s.opens_at, s.closes_at, t
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_window',
                  DETAIL = 'constraint "music_studio_votes_window"';
    END IF;
    IF s.weighting = 'holdings' THEN
        -- the journal read directly (music_holdings_at's rule: lines up to opens_at, inclusive)
        SELECT sum(l.amount) INTO held
          FROM music_accounts a
          JOIN music_journal_lines l ON l.organization_id = NEW.organization_id AND l.account_id = a.id
         WHERE a.organization_id = NEW.organization_id AND a.kind = 'user' AND a.user_id = NEW.user_id
           AND l.asset_id = s.asset_id AND l.effective_at <= s.opens_at;
        IF coalesce(held, 0) <= 0 THEN
            RAISE EXCEPTION 'the voter held none of the session''s asset when it opened (%)', s.opens_at
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_holdings',
                      DETAIL = 'constraint "music_studio_votes_holdings"';
        END IF;
        NEW.weight := held;
    ELSE
        NEW.weight := 1;
    END IF;
    NEW.cast_at := t;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_studio_votes_cast BEFORE INSERT OR UPDATE ON music_studio_votes
    FOR EACH ROW EXECUTE FUNCTION music_studio_votes_cast();

-- A vote is never withdrawn (only its option changes while open); it goes with its session or
-- its voter's membership.
CREATE FUNCTION mediabase.music_studio_votes_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'a studio vote is never withdrawn (vote again to change the option)'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_kept',
              DETAIL = 'constraint "music_studio_votes_kept"';
END
$$;
CREATE TRIGGER music_studio_votes_kept BEFORE DELETE ON music_studio_votes
    FOR EACH ROW EXECUTE FUNCTION music_studio_votes_kept();

-- -- tenancy, privileges, audit -------------------------------------------------------------------

SELECT make_tenant_table(format('mediabase.%I', t)::regclass)
  FROM unnest(ARRAY['music_studio_sessions', 'music_studio_options', 'music_studio_votes']) AS t;
REVOKE UPDATE, DELETE, TRUNCATE ON music_studio_sessions, music_studio_votes FROM mediabase_app;
GRANT UPDATE (title, description) ON music_studio_sessions TO mediabase_app;
GRANT UPDATE (option_id) ON music_studio_votes TO mediabase_app;
REVOKE TRUNCATE ON music_studio_options FROM mediabase_app;

SELECT audit_table('music_studio_sessions');
SELECT audit_table('music_studio_options');
SELECT audit_table('music_studio_votes');
