// mediabase's tenant protocol for a direct SQL client (docs/clients.md, "The tenant protocol"):
// the statements every transaction of mediabase's own begins with (src/mediabase/db/connection.py,
// prelude_statements), all transaction-local, so a pooled connection carries nothing over.
import type pg from "pg";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID as an SQL literal (checked first: it goes into the statement's text), or '' for none. */
function uuidLiteral(value: string | null, what: string): string {
  if (value === null) return "''";
  if (!UUID.test(value)) throw new Error(`${what} must be a UUID, not ${JSON.stringify(value)}`);
  return `'${value.toLowerCase()}'`;
}

/** What begins a unit of work as organization `organizationId`, acting for user `userId` (or no user). */
export function tenantPrelude(organizationId: string, userId: string | null = null): string {
  return [
    "SET LOCAL ROLE mediabase_app",
    "SET LOCAL citus.propagate_set_commands = 'local'", // Citus passes the SET LOCALs below on to its workers
    "SET LOCAL search_path TO mediabase, public",
    `SET LOCAL mediabase.organization_id = ${uuidLiteral(organizationId, "organizationId")}`,
    `SET LOCAL mediabase.user_id = ${uuidLiteral(userId, "userId")}`,
  ].join("; ");
}

/** One transaction as the tenant: BEGIN and the prelude (one round trip), `work`, COMMIT; ROLLBACK if it throws. */
export async function inTenant<T>(
  pool: pg.Pool,
  organizationId: string,
  userId: string | null,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; ${tenantPrelude(organizationId, userId)}`);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}
