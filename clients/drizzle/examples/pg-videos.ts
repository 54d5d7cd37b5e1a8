// Plain `pg` against mediabase as one tenant (docs/clients.md, "SQL from Node with pg"): run with
// DATABASE_URL (a client role's URL: mediabase db role create NAME), ORG_ID and USER_ID; prints JSON.
import pg from "pg";
import { inTenant } from "./tenant.js";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const orgId = process.env.ORG_ID ?? "";
const userId = process.env.USER_ID ?? null;

type Video = { id: string; title: string };
const VIDEOS = "SELECT id, title FROM mediabase.videos ORDER BY created_at, id";

// the tenant protocol: its videos, and only its
const videos = await inTenant(pool, orgId, userId, async (client) => (await client.query<Video>(VIDEOS)).rows);

/** `VIDEOS` in a transaction of its own that begins with `begin` (statements with their parameters). */
async function videosAfter(...begin: [string, unknown[]?][]): Promise<Video[]> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    for (const [text, values] of begin) await client.query(text, values);
    const rows = (await client.query<Video>(VIDEOS)).rows;
    await client.query("COMMIT");
    return rows;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

// the same with bound parameters: set_config(name, value, true) is SET LOCAL (not on Citus: docs/clients.md)
const viaSetConfig = await videosAfter(
  ["SET LOCAL ROLE mediabase_app"],
  ["SELECT set_config('mediabase.organization_id', $1, true), set_config('mediabase.user_id', $2, true)",
   [orgId, userId ?? ""]],
);

// no tenant set: row-level security shows no organization's rows
const withoutTenant = await videosAfter(["SET LOCAL ROLE mediabase_app"]);

// the tenant set but SET ROLE forgotten: a client role is under row-level security all the same
const withoutSetRole = await videosAfter(["SELECT set_config('mediabase.organization_id', $1, true)", [orgId]]);

console.log(JSON.stringify({ videos, viaSetConfig, withoutTenant, withoutSetRole }));
await pool.end();
