"""The only package that knows the driver: server, pool, transactions, tenants, errors, migrations."""
