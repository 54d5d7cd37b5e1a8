-- The partition manager's SQL (migration 0012; docs/operations.md, "Partitions"). Operators
-- only: run as the owner, each statement its own transaction unless the caller opens one.

-- name: maintain
SELECT table_name, partition_name, action, detail
  FROM mediabase.maintain_partitions(%(months_ahead)s, %(prune_keep)s, %(drop_due)s);

-- name: due
SELECT table_name, partition_name, archive, kept_because FROM mediabase.partitions_due(%(prune_keep)s);

-- name: drop
SELECT mediabase.drop_partition(to_regclass(%(table)s), %(partition)s) AS dropped;

-- name: status
SELECT table_name, name, range_from, range_to, est_rows, is_default FROM mediabase.partition_status();

-- name: policies
-- Tables of schema mediabase by their bare name, as the functions name them.
SELECT CASE WHEN c.relnamespace = 'mediabase'::regnamespace THEN c.relname::text ELSE t.parent::text END
           AS table_name,
       t.keep_months, t.min_keep_months, t.archive, t.keep_while, t.partition_options, t.upkeep::text AS upkeep
  FROM mediabase.partitioned_tables t JOIN pg_class c ON c.oid = t.parent
 WHERE %(table)s::text IS NULL OR t.parent = to_regclass(%(table)s)
 ORDER BY t.registered_at, 1;

-- name: set_policy
-- keep_months is changed only when set_keep (NULL then means: kept forever); archive when not NULL.
UPDATE mediabase.partitioned_tables
   SET keep_months = CASE WHEN %(set_keep)s THEN %(keep_months)s::int ELSE keep_months END,
       archive = coalesce(%(archive)s, archive)
 WHERE parent = to_regclass(%(table)s)
RETURNING parent;
