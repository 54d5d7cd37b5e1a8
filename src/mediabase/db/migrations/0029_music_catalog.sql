-- 0029_music_catalog: roles, credits and versioned contracts of the music marketplace (seed 004;
-- docs/music-catalog.md explains every table). Built on the spine of 0028 (artists, producers,
-- masters).
--
--   music_roles              artist / producer / fan roles of an organization's members (beside
--                            the membership's OWNER/ADMIN/MEMBER; a user may be artist in one
--                            organization and fan in another: roles are per membership)
--   music_master_credits     who did what on a master: (master, producer, role)
--   music_contracts          versions 1..n of a master's contract, gapless (allocated under the
--                            master's row lock); draft → signed → superseded; a signed version is
--                            immutable; at most one signed version per master
--   music_contract_splits    a version's split lines in basis points: artist, producer, label or
--                            the investors' pool; at commit they sum to exactly 10,000 (a deferred
--                            constraint trigger, music_contract_splits_sum)
--
-- Tenancy as everywhere (DESIGN.md 5): organization_id leads every key, references between these
-- tables are composite, row-level security by mediabase.current_org_id(), every table declared
-- distributed; triggers touch only rows of their own row's organization.

-- -- roles --------------------------------------------------------------------------------------

CREATE TABLE music_roles (
    organization_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    role            text NOT NULL CONSTRAINT music_roles_role_valid CHECK (role IN ('artist', 'producer', 'fan')),
    granted_by      uuid REFERENCES users ON DELETE SET NULL,
    granted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id, role),
    -- a role belongs to a membership: it goes when the member leaves
    CONSTRAINT music_roles_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE
);
SELECT declare_table('music_roles', 'distributed');
CREATE INDEX music_roles_role_idx ON music_roles (organization_id, role, granted_at);
CREATE INDEX music_roles_granted_by_idx ON music_roles (granted_by) WHERE granted_by IS NOT NULL;

-- -- credits ------------------------------------------------------------------------------------

CREATE TABLE music_master_credits (
    organization_id uuid NOT NULL,
    master_id       uuid NOT NULL,
    producer_id     uuid NOT NULL,
    -- producer, mixing, mastering, writer, featured, … (lowercase words)
    role            text NOT NULL CONSTRAINT music_master_credits_role_format CHECK (role ~ '^[a-z][a-z_-]{0,39}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, master_id, producer_id, role),
    CONSTRAINT music_master_credits_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_master_credits_producer_fk FOREIGN KEY (organization_id, producer_id)
        REFERENCES music_producers (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('music_master_credits', 'distributed');
CREATE INDEX music_master_credits_producer_idx ON music_master_credits (organization_id, producer_id);

-- -- contracts ----------------------------------------------------------------------------------

CREATE TABLE music_contracts (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    master_id       uuid NOT NULL,
    -- 1..n per master, gapless: set by music_contracts_allocate under the master's row lock
    version         integer NOT NULL CONSTRAINT music_contracts_version_positive CHECK (version >= 1),
    status          text NOT NULL DEFAULT 'draft'
        CONSTRAINT music_contracts_status_valid CHECK (status IN ('draft', 'signed', 'superseded')),
    terms           jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT music_contracts_terms_object CHECK (jsonb_typeof(terms) = 'object' AND pg_column_size(terms) <= 65536),
    notes           text CONSTRAINT music_contracts_notes_length CHECK (length(notes) <= 10000),
    -- a signer is kept as long as the signature (users are deactivated, not deleted)
    signed_by       uuid REFERENCES users ON DELETE RESTRICT,
    signed_at       timestamptz,
    superseded_at   timestamptz,
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT music_contracts_version_key UNIQUE (organization_id, master_id, version),
    CONSTRAINT music_contracts_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_contracts_signed_unless_draft CHECK ((status = 'draft') = (signed_at IS NULL)),
    CONSTRAINT music_contracts_signer_when_signed CHECK (signed_by IS NULL OR signed_at IS NOT NULL),
    CONSTRAINT music_contracts_superseded_at CHECK ((status = 'superseded') = (superseded_at IS NOT NULL))
);
SELECT declare_table('music_contracts', 'distributed');
-- at most one signed version per master (the one in force)
CREATE UNIQUE INDEX music_contracts_one_signed ON music_contracts (organization_id, master_id) WHERE status = 'signed';
CREATE INDEX music_contracts_signed_by_idx ON music_contracts (signed_by) WHERE signed_by IS NOT NULL;
CREATE INDEX music_contracts_created_by_idx ON music_contracts (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER music_contracts_status_transition BEFORE INSERT OR UPDATE OF status ON music_contracts
    FOR EACH ROW EXECUTE FUNCTION check_status_transition('>draft', 'draft>signed', 'signed>superseded');

-- The next version of the master's contract, under the master's row lock (two drafts written at
-- once get 1 and 2, never two 1s or a gap). A version given that is not the next one is refused.
CREATE FUNCTION mediabase.music_contracts_allocate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    next integer;
BEGIN
    PERFORM FROM music_masters m WHERE m.organization_id = NEW.organization_id AND m.id = NEW.master_id
        FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'master % does not exist', NEW.master_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_contracts_master_fk',
                  DETAIL = 'constraint "music_contracts_master_fk"';
    END IF;
    SELECT coalesce(max(c.version), 0) + 1 INTO next FROM music_contracts c
     WHERE c.organization_id = NEW.organization_id AND c.master_id = NEW.master_id;
    IF NEW.version IS NOT NULL AND NEW.version <> next THEN
        RAISE EXCEPTION 'the next contract version of this master is %, not %', next, NEW.version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_version_gapless', COLUMN = 'version',
                  DETAIL = 'constraint "music_contracts_version_gapless"';
    END IF;
    NEW.version := next;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_contracts_allocate BEFORE INSERT ON music_contracts
    FOR EACH ROW EXECUTE FUNCTION music_contracts_allocate();

-- A signed (or superseded) version is immutable: the only change it takes is signed → superseded
-- (by music_sign_contract). Versions are never deleted (gapless), but with their master.
CREATE FUNCTION mediabase.music_contracts_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF pg_trigger_depth() > 1 THEN
            RETURN OLD;  -- the master's cascade
        END IF;
        RAISE EXCEPTION 'contract versions are never deleted (a new version supersedes one)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_append_only',
                  DETAIL = 'constraint "music_contracts_append_only"';
    END IF;
    IF OLD.status <> 'draft' AND NOT (
           OLD.status = 'signed' AND NEW.status = 'superseded'
           AND (to_jsonb(NEW) - 'status' - 'superseded_at') = (to_jsonb(OLD) - 'status' - 'superseded_at')) THEN
        RAISE EXCEPTION 'contract version % is %: it cannot change (write a new version)', OLD.version, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_signed_immutable',
                  DETAIL = 'constraint "music_contracts_signed_immutable"';
    END IF;
    IF NEW.master_id IS DISTINCT FROM OLD.master_id OR NEW.version IS DISTINCT FROM OLD.version
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'a contract version keeps its master and number'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_immutable',
                  DETAIL = 'constraint "music_contracts_immutable"';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER music_contracts_guard BEFORE UPDATE OR DELETE ON music_contracts
    FOR EACH ROW EXECUTE FUNCTION music_contracts_guard();

CREATE TABLE music_contract_splits (
    organization_id uuid NOT NULL,
    contract_id     uuid NOT NULL,
    line_no         smallint NOT NULL CONSTRAINT music_contract_splits_line_no_positive CHECK (line_no >= 1),
    party           text NOT NULL
        CONSTRAINT music_contract_splits_party_valid CHECK (party IN ('artist', 'producer', 'label', 'investors')),
    artist_id       uuid,
    producer_id     uuid,
    label_name      text CONSTRAINT music_contract_splits_label_name_length CHECK (length(btrim(label_name)) BETWEEN 1 AND 200),
    bps             integer NOT NULL CONSTRAINT music_contract_splits_bps_range CHECK (bps BETWEEN 1 AND 10000),
    PRIMARY KEY (organization_id, contract_id, line_no),
    CONSTRAINT music_contract_splits_contract_fk FOREIGN KEY (organization_id, contract_id)
        REFERENCES music_contracts (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT music_contract_splits_artist_fk FOREIGN KEY (organization_id, artist_id)
        REFERENCES music_artists (organization_id, id),
    CONSTRAINT music_contract_splits_producer_fk FOREIGN KEY (organization_id, producer_id)
        REFERENCES music_producers (organization_id, id),
    -- exactly the reference its party names (the investors' pool has none: it is the IPO's holders)
    CONSTRAINT music_contract_splits_party_target CHECK (
        (party = 'artist') = (artist_id IS NOT NULL)
        AND (party = 'producer') = (producer_id IS NOT NULL)
        AND (party = 'label') = (label_name IS NOT NULL))
);
SELECT declare_table('music_contract_splits', 'distributed');
-- one line per party of a version
CREATE UNIQUE INDEX music_contract_splits_party_key ON music_contract_splits
    (organization_id, contract_id, party, coalesce(artist_id, producer_id), coalesce(label_name, ''));
CREATE INDEX music_contract_splits_artist_idx ON music_contract_splits (organization_id, artist_id)
    WHERE artist_id IS NOT NULL;
CREATE INDEX music_contract_splits_producer_idx ON music_contract_splits (organization_id, producer_id)
    WHERE producer_id IS NOT NULL;

-- The splits of a signed (or superseded) version never change. The contract's row is read FOR
-- SHARE, which waits for a signing in progress (its UPDATE holds the row): a split cannot slip in
-- beside a signature.
CREATE FUNCTION mediabase.music_contract_splits_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    r     record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    state text;
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;  -- the contract's (the master's) cascade
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.contract_id <> OLD.contract_id OR NEW.organization_id <> OLD.organization_id) THEN
        RAISE EXCEPTION 'a split line stays in its contract version'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contract_splits_immutable',
                  DETAIL = 'constraint "music_contract_splits_immutable"';
    END IF;
    SELECT c.status INTO state FROM music_contracts c
     WHERE c.organization_id = r.organization_id AND c.id = r.contract_id FOR SHARE;
    IF state IS NOT NULL AND state <> 'draft' THEN
        RAISE EXCEPTION 'the contract version is %: its splits cannot change (write a new version)', state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_signed_immutable',
                  DETAIL = 'constraint "music_contracts_signed_immutable"';
    END IF;
    RETURN r;
END
$$;
CREATE TRIGGER music_contract_splits_guard BEFORE INSERT OR UPDATE OR DELETE ON music_contract_splits
    FOR EACH ROW EXECUTE FUNCTION music_contract_splits_guard();

-- At commit, every contract version touched in the transaction has splits that sum to exactly
-- 10,000 basis points (a version with no split lines sums to 0: refused too).
CREATE FUNCTION mediabase.music_contract_splits_sum_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    r        record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    contract uuid;
    total    bigint;
    lines    integer;
BEGIN
    contract := (to_jsonb(r)->>CASE WHEN mediabase.unsharded(TG_TABLE_NAME) = 'music_contracts' THEN 'id'
                                    ELSE 'contract_id' END)::uuid;
    IF NOT EXISTS (SELECT FROM music_contracts c WHERE c.organization_id = r.organization_id AND c.id = contract) THEN
        RETURN NULL;  -- gone with its master
    END IF;
    SELECT coalesce(sum(s.bps), 0), count(*) INTO total, lines FROM music_contract_splits s
     WHERE s.organization_id = r.organization_id AND s.contract_id = contract;
    IF total <> 10000 THEN
        RAISE EXCEPTION 'the splits of a contract version sum to exactly 10,000 basis points; these % line(s) sum to %',
                        lines, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contract_splits_sum', COLUMN = 'bps',
                  DETAIL = 'constraint "music_contract_splits_sum"';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER music_contract_splits_sum AFTER INSERT OR UPDATE OR DELETE ON music_contract_splits
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION music_contract_splits_sum_check();
CREATE CONSTRAINT TRIGGER music_contracts_splits_sum AFTER INSERT ON music_contracts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION music_contract_splits_sum_check();

-- Sign a draft version in the current tenant: the version in force (if any) becomes superseded
-- and this one signed, in one transaction, under the master's row lock (two signings of the same
-- master queue). Only a draft is signed, and only one newer than the version in force; the signer
-- is the transaction's user. Returns the version signed. Any client, in any language, signs through this function.
CREATE FUNCTION mediabase.music_sign_contract(contract uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
DECLARE
    org    uuid := mediabase.current_org_id();
    signer uuid := mediabase.current_user_id();
    c      record;
    cur record;
BEGIN
    SELECT k.master_id, k.version, k.status INTO c FROM music_contracts k
     WHERE k.organization_id = org AND k.id = contract;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'contract % not found', contract
            USING ERRCODE = 'no_data_found', CONSTRAINT = 'music_contracts_sign_found',
                  DETAIL = 'constraint "music_contracts_sign_found"';
    END IF;
    PERFORM FROM music_masters m WHERE m.organization_id = org AND m.id = c.master_id FOR NO KEY UPDATE;
    SELECT k.status INTO c.status FROM music_contracts k WHERE k.organization_id = org AND k.id = contract FOR UPDATE;
    IF c.status <> 'draft' THEN
        RAISE EXCEPTION 'contract version % is % already: only a draft is signed', c.version, c.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_sign_draft',
                  DETAIL = 'constraint "music_contracts_sign_draft"';
    END IF;
    SELECT k.id, k.version INTO cur FROM music_contracts k
     WHERE k.organization_id = org AND k.master_id = c.master_id AND k.status = 'signed' FOR UPDATE;
    IF FOUND THEN
        IF cur.version > c.version THEN
            RAISE EXCEPTION 'version % is in force: an older draft (version %) cannot be signed', cur.version, c.version
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_sign_order',
                      DETAIL = 'constraint "music_contracts_sign_order"';
        END IF;
        UPDATE music_contracts SET status = 'superseded', superseded_at = now()
         WHERE organization_id = org AND id = cur.id;
    END IF;
    UPDATE music_contracts SET status = 'signed', signed_at = now(), signed_by = signer
     WHERE organization_id = org AND id = contract;
    RETURN c.version;
END
$$;

-- -- tenancy, privileges, audit -------------------------------------------------------------------

SELECT make_tenant_table(format('mediabase.%I', t)::regclass)
  FROM unnest(ARRAY['music_roles', 'music_master_credits', 'music_contracts', 'music_contract_splits']) AS t;
-- roles and credits are granted and revoked (inserted and deleted), never edited
REVOKE UPDATE, TRUNCATE ON music_roles, music_master_credits FROM mediabase_app;
-- a version's status changes only through music_sign_contract; versions are never deleted
REVOKE UPDATE, DELETE, TRUNCATE ON music_contracts FROM mediabase_app;
GRANT UPDATE (terms, notes) ON music_contracts TO mediabase_app;
REVOKE TRUNCATE ON music_contract_splits FROM mediabase_app;
REVOKE ALL ON FUNCTION mediabase.music_sign_contract(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.music_sign_contract(uuid) TO mediabase_app;

SELECT audit_table(t::regclass)
  FROM unnest(ARRAY['music_roles', 'music_master_credits', 'music_contracts', 'music_contract_splits']) AS t;
