-- 0002_identity: users (global), organizations (the tenants), memberships and API keys.
--
-- Tenancy (docs/schema.md): every row that belongs to someone carries organization_id; the
-- primary key and every unique key of a tenant table lead with it, references between tenant
-- tables include it (composite foreign keys), and row-level security shows the application
-- role only the rows of the transaction's tenant (mediabase.current_org_id()).

-- Makes a table a tenant table: RLS on, one policy for every command, the app role's grants.
CREATE FUNCTION mediabase.make_tenant_table(tbl regclass) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (organization_id = (SELECT mediabase.current_org_id()))'
        ' WITH CHECK (organization_id = (SELECT mediabase.current_org_id()))', tbl);
END
$$;

-- Users are global (a Citus reference table): one account, many organizations.
CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT new_id(),
    email          text NOT NULL
        CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 320),
    username       text NOT NULL
        CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$'),
    display_name   text CONSTRAINT users_display_name_length CHECK (length(display_name) <= 200),
    avatar_url     text CONSTRAINT users_avatar_url_format CHECK (avatar_url ~ '^https?://'),
    bio            text CONSTRAINT users_bio_length CHECK (length(bio) <= 5000),
    role           text NOT NULL DEFAULT 'user'
        CONSTRAINT users_role_valid CHECK (role IN ('user', 'moderator', 'admin')),
    password_hash  text CONSTRAINT users_password_hash_format CHECK (password_hash LIKE '$argon2%'),
    email_verified boolean NOT NULL DEFAULT false,
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE INDEX users_created_at_idx ON users (created_at);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE oauth_accounts (
    id                  uuid PRIMARY KEY DEFAULT new_id(),
    user_id             uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    provider            text NOT NULL CONSTRAINT oauth_accounts_provider_format CHECK (provider ~ '^[a-z0-9_-]{1,40}$'),
    provider_account_id text NOT NULL CONSTRAINT oauth_accounts_provider_account_id_nonempty CHECK (provider_account_id <> ''),
    access_token        text,
    refresh_token       text,
    expires_at          timestamptz,
    scope               text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oauth_accounts_provider_key UNIQUE (provider, provider_account_id)
);
CREATE INDEX oauth_accounts_user_idx ON oauth_accounts (user_id);
CREATE TRIGGER oauth_accounts_touch BEFORE UPDATE ON oauth_accounts FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Application data about a user, apart from the identity columns (seed 001's decoupling).
CREATE TABLE user_extensions (
    user_id                 uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    tos_accepted_at         timestamptz,
    marketing_consent       boolean NOT NULL DEFAULT false,
    onboarding_completed_at timestamptz,
    data jsonb NOT NULL DEFAULT '{}' CONSTRAINT user_extensions_data_object CHECK (jsonb_typeof(data) = 'object'),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE user_preferences (
    user_id             uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    locale              text NOT NULL DEFAULT 'en',
    timezone            text NOT NULL DEFAULT 'UTC',
    theme               text NOT NULL DEFAULT 'system' CONSTRAINT user_preferences_theme_valid CHECK (theme IN ('light', 'dark', 'system')),
    email_notifications boolean NOT NULL DEFAULT true,
    data jsonb NOT NULL DEFAULT '{}' CONSTRAINT user_preferences_data_object CHECK (jsonb_typeof(data) = 'object'),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- The tenants. 'personal' organizations belong to one user (journal-style apps, seed 003);
-- 'community' ones hold public story platforms (seed 002); 'team' is the Nuclom workspace.
CREATE TABLE organizations (
    id               uuid PRIMARY KEY DEFAULT new_id(),
    name             text NOT NULL CONSTRAINT organizations_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    slug             text NOT NULL CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    description      text CONSTRAINT organizations_description_length CHECK (length(description) <= 5000),
    kind             text NOT NULL DEFAULT 'team' CONSTRAINT organizations_kind_valid CHECK (kind IN ('team', 'personal', 'community')),
    personal_user_id uuid REFERENCES users ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_personal_has_user CHECK ((kind = 'personal') = (personal_user_id IS NOT NULL))
);
CREATE UNIQUE INDEX organizations_personal_user_key ON organizations (personal_user_id) WHERE personal_user_id IS NOT NULL;
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations
    USING (id = (SELECT current_org_id())) WITH CHECK (id = (SELECT current_org_id()));

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    user_id         uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    role            text NOT NULL DEFAULT 'MEMBER' CONSTRAINT memberships_role_valid CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT memberships_user_key UNIQUE (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE TRIGGER memberships_touch BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
SELECT make_tenant_table('memberships');

-- API keys: 'mb_<prefix>_<secret>'; only sha256(secret) is kept; the key acts as one membership.
CREATE TABLE api_keys (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    user_id         uuid NOT NULL,
    name            text NOT NULL CONSTRAINT api_keys_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    prefix          text NOT NULL CONSTRAINT api_keys_prefix_format CHECK (prefix ~ '^[a-z0-9]{12}$'),
    secret_sha256   bytea NOT NULL CONSTRAINT api_keys_secret_length CHECK (length(secret_sha256) = 32),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    PRIMARY KEY (organization_id, id),
    -- the prefix is looked up before the tenant is known; globally unique by construction
    CONSTRAINT api_keys_prefix_key UNIQUE (organization_id, prefix),
    CONSTRAINT api_keys_membership_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
SELECT make_tenant_table('api_keys');

-- Columns the application role may not read: password hashes, OAuth tokens, key digests.
REVOKE SELECT ON users, oauth_accounts, api_keys FROM mediabase_app;
GRANT SELECT (id, email, username, display_name, avatar_url, bio, role, email_verified,
              is_active, created_at, updated_at, last_login_at) ON users TO mediabase_app;
GRANT SELECT (id, user_id, provider, provider_account_id, expires_at, scope, created_at, updated_at)
    ON oauth_accounts TO mediabase_app;
GRANT SELECT (organization_id, id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at)
    ON api_keys TO mediabase_app;

-- The application role sees the users of its organization (and itself), never others; it
-- creates none (identity administration runs as the owner, see docs/schema.md).
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_visible ON users FOR SELECT USING (
    id = (SELECT current_user_id())
    OR EXISTS (SELECT FROM memberships m
               WHERE m.user_id = users.id AND m.organization_id = (SELECT current_org_id())));
CREATE POLICY users_self_update ON users FOR UPDATE
    USING (id = (SELECT current_user_id())) WITH CHECK (id = (SELECT current_user_id()));
ALTER TABLE oauth_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON oauth_accounts USING (user_id = (SELECT current_user_id()));
ALTER TABLE user_extensions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON user_extensions USING (user_id = (SELECT current_user_id()));
ALTER TABLE user_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON user_preferences USING (user_id = (SELECT current_user_id()));
