"""Users, organizations (tenants), memberships, roles and API keys."""
