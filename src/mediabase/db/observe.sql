-- What an operator looks at (mediabase doctor, GET /metrics): size, slow statements, replica lag.
-- These read catalogs and statistics only; none touches a tenant's rows.

-- name: database_size
SELECT pg_database_size(current_database()) AS bytes,
       pg_size_pretty(pg_database_size(current_database())) AS pretty;

-- name: stat_statements_state
-- Where pg_stat_statements is installed in this database (NULL: it is not), whether the server
-- has it, and whether it is preloaded (NULL when this role may not read the setting).
SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS schema,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available,
       (SELECT setting ~ '(^|[\s,"])pg_stat_statements($|[\s,"])' FROM pg_settings
         WHERE name = 'shared_preload_libraries') AS preloaded;

-- name: slow_statements
-- This database's statements with the highest mean execution time; {schema} is the extension's.
SELECT calls, mean_exec_time::float8 AS mean_ms, total_exec_time::float8 AS total_ms, rows,
       left(regexp_replace(query, '\s+', ' ', 'g'), %(width)s) AS query
  FROM {schema}.pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY mean_exec_time DESC
 LIMIT %(limit)s;

-- name: replica_lag
-- On a standby: how far its replay is behind. 0 when it has replayed all it received (an idle
-- primary sends nothing, and the time since the last replayed commit would only grow).
SELECT pg_is_in_recovery() AS in_recovery,
       CASE WHEN NOT pg_is_in_recovery() THEN NULL
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
       END::float8 AS lag_seconds;
