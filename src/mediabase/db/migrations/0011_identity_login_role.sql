-- 0011_identity_login_role: the role the application logs in as (least privilege at login).
--
-- mediabase_api  LOGIN, NOINHERIT, a member of mediabase_app and of nothing else. The API and
--                the worker connect as it and begin every transaction with
--                SET LOCAL ROLE mediabase_app, so row-level security applies; RESET ROLE
--                falls back to a role with no privileges at all (NOINHERIT), never to the
--                owner. It has no password here: the embedded server trusts its own Unix
--                socket; on an external server the operator gives it one
--                (ALTER ROLE mediabase_api PASSWORD '…') and sets MEDIABASE_APP_DATABASE_URL
--                (docs/operations.md).
-- Roles are cluster-wide: created only when missing, like 0001's; by the role that connects to
-- migrate (mediabase_owner may not create roles).

SET LOCAL ROLE NONE;

DO $$
BEGIN
    IF to_regrole('mediabase_api') IS NULL THEN
        CREATE ROLE mediabase_api LOGIN NOINHERIT;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database of this cluster created it at the same moment
END
$$;

GRANT mediabase_app TO mediabase_api;

SET LOCAL ROLE mediabase_owner;
