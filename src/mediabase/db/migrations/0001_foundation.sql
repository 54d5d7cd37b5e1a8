-- 0001_foundation: extensions, the two roles, the schema's owner and shared helpers.
--
-- mediabase_owner  owns every object of schema mediabase; migrations run as it (SET ROLE).
-- mediabase_app    what the API and the worker run as: not an owner, so row-level security
--                  applies to it; it gets DML on tables, never DDL.
-- Roles are cluster-wide, so they are created only when missing (several databases of one
-- cluster, e.g. test clones, share them).

CREATE EXTENSION IF NOT EXISTS vector;

DO $$
BEGIN
    IF to_regrole('mediabase_owner') IS NULL THEN
        CREATE ROLE mediabase_owner NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database of this cluster created it at the same moment
END
$$;

DO $$
BEGIN
    IF to_regrole('mediabase_app') IS NULL THEN
        CREATE ROLE mediabase_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT mediabase_owner, mediabase_app TO %I', current_user);
END
$$;

ALTER SCHEMA mediabase OWNER TO mediabase_owner;
GRANT USAGE ON SCHEMA mediabase TO mediabase_app;
GRANT SELECT ON mediabase.schema_migrations, mediabase.schema_views TO mediabase_app;

ALTER DEFAULT PRIVILEGES FOR ROLE mediabase_owner IN SCHEMA mediabase
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mediabase_app;
ALTER DEFAULT PRIVILEGES FOR ROLE mediabase_owner IN SCHEMA mediabase
    GRANT USAGE, SELECT ON SEQUENCES TO mediabase_app;
ALTER DEFAULT PRIVILEGES FOR ROLE mediabase_owner IN SCHEMA mediabase
    GRANT EXECUTE ON FUNCTIONS TO mediabase_app;

-- Time-ordered UUIDs (v7) for every entity: PostgreSQL 18 has uuidv7() built in; older
-- servers get the same layout from a SQL function (48-bit Unix ms, version 7, variant 10).
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 180000 THEN
        CREATE FUNCTION mediabase.new_id() RETURNS uuid
            LANGUAGE sql VOLATILE PARALLEL SAFE
            RETURN uuidv7();
    ELSE
        CREATE FUNCTION mediabase.new_id() RETURNS uuid
            LANGUAGE sql VOLATILE PARALLEL SAFE
            RETURN encode(
                set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid;
    END IF;
END
$$;
ALTER FUNCTION mediabase.new_id() OWNER TO mediabase_owner;

-- The tenant of the current transaction, as set by the service layer with
-- set_config('mediabase.organization_id', …, true). NULL when unset: policies then match nothing.
CREATE FUNCTION mediabase.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('mediabase.organization_id', true), '')::uuid;

-- The acting user of the current transaction (NULL for system work).
CREATE FUNCTION mediabase.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('mediabase.user_id', true), '')::uuid;

-- Keeps updated_at true on every UPDATE of a table that has the column.
CREATE FUNCTION mediabase.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

ALTER FUNCTION mediabase.current_org_id() OWNER TO mediabase_owner;
ALTER FUNCTION mediabase.current_user_id() OWNER TO mediabase_owner;
ALTER FUNCTION mediabase.touch_updated_at() OWNER TO mediabase_owner;
GRANT EXECUTE ON FUNCTION mediabase.new_id(), mediabase.current_org_id(),
    mediabase.current_user_id() TO mediabase_app;
