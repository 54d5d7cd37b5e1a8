--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: mediabase; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA mediabase;

--
-- Name: current_org_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('mediabase.organization_id'::text, true), ''::text))::uuid;

--
-- Name: current_user_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('mediabase.user_id'::text, true), ''::text))::uuid;

--
-- Name: new_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.new_id() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    RETURN uuidv7();

--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: schema_migration_repairs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_migration_repairs (
    id bigint NOT NULL,
    version integer NOT NULL,
    old_checksum text NOT NULL,
    new_checksum text NOT NULL,
    reason text NOT NULL,
    repaired_at timestamp with time zone DEFAULT now() NOT NULL,
    repaired_by text NOT NULL,
    CONSTRAINT schema_migration_repairs_reason_check CHECK ((length(btrim(reason)) > 0))
);

--
-- Name: schema_migration_repairs_id_seq; Type: SEQUENCE; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.schema_migration_repairs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME mediabase.schema_migration_repairs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: schema_migrations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL,
    duration_ms integer NOT NULL,
    transactional boolean NOT NULL,
    baseline boolean DEFAULT false NOT NULL,
    CONSTRAINT schema_migrations_checksum_check CHECK ((checksum ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT schema_migrations_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT schema_migrations_version_check CHECK ((version > 0))
);

--
-- Name: schema_views; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_views (
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL
);

--
-- Name: schema_migration_repairs schema_migration_repairs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migration_repairs
    ADD CONSTRAINT schema_migration_repairs_pkey PRIMARY KEY (id);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: schema_views schema_views_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_views
    ADD CONSTRAINT schema_views_pkey PRIMARY KEY (name);

--
-- Name: schema_migration_repairs schema_migration_repairs_version_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migration_repairs
    ADD CONSTRAINT schema_migration_repairs_version_fkey FOREIGN KEY (version) REFERENCES mediabase.schema_migrations(version);

--
-- PostgreSQL database dump complete
--
