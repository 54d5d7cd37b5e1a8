// Drizzle ORM against mediabase as one tenant (docs/clients.md, "SQL from Node with Drizzle"): the
// schema is what `mediabase export drizzle --out schema.ts` writes beside this file. Run with
// DATABASE_URL (a client role's URL: mediabase db role create NAME), ORG_ID and USER_ID; prints JSON.
import pg from "pg";
import { asc, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import * as mb from "./schema.js";
import { tenantPrelude } from "./tenant.js";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
const db = drizzle(pool, { schema: mb });

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** One transaction as the tenant: the prelude first, then any Drizzle query. */
async function asTenant<T>(orgId: string, userId: string | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(tenantPrelude(orgId, userId)));
    return work(tx);
  });
}

const orgId = process.env.ORG_ID ?? "";
const userId = process.env.USER_ID ?? null;

const result = await asTenant(orgId, userId, async (tx) => {
  const videos = await tx
    .select({ id: mb.videos.id, title: mb.videos.title })
    .from(mb.videos)
    .orderBy(asc(mb.videos.createdAt), asc(mb.videos.id));
  // a relation on a composite foreign key: transcripts (organization_id, video_id) -> videos (organization_id, id)
  const withTranscripts = await tx.query.videos.findMany({
    columns: { id: true },
    with: { transcripts: { columns: { id: true, videoId: true, organizationId: true } } },
  });
  // users keeps its password hashes from the app role: read the view of its readable columns
  const people = await tx.select({ id: mb.usersReadable.id, username: mb.usersReadable.username }).from(mb.usersReadable);
  return { videos, withTranscripts, people };
});

console.log(JSON.stringify(result));
await pool.end();
