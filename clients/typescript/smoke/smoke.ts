// The client against a live server, as a TypeScript app uses it (run by
// tests/acceptance/test_typescript_client.py; by hand: npm run smoke, with the variables set).
//
//   MEDIABASE_URL        the API's base URL
//   MEDIABASE_KEY        a key of an organization with videos, transcripts and a search index
//   MEDIABASE_OTHER_KEY  a key of another organization
//   MEDIABASE_QUERY      a word the first organization's transcripts say
import assert from "node:assert/strict";

import { createClient, MediabaseError, type components } from "../src/index.js";

type Video = components["schemas"]["Video"];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const baseUrl = env("MEDIABASE_URL");
const mb = createClient({ baseUrl, apiKey: env("MEDIABASE_KEY") });
const other = createClient({ baseUrl, apiKey: env("MEDIABASE_OTHER_KEY") });
const q = env("MEDIABASE_QUERY");
const report: Record<string, unknown> = {};

// list: every video, page after page (two per page, so the cursor is followed)
const videos: Video[] = [];
for await (const video of mb.paginate("videos.list", { query: { limit: 2 } })) videos.push(video);
const firstPage = await mb.videos.list({ query: { limit: 2 } });
assert.ok(videos.length > 2 && firstPage.items.length === 2 && firstPage.next_cursor, "more than one page");
assert.equal(new Set(videos.map((v) => v.id)).size, videos.length, "no video twice");
report.videos = videos.length;
const video = videos.find((v) => v.duration_ms !== null) ?? videos[0]!;

// segments by time range
const from_ms = 60_000;
const to_ms = 120_000;
const page = await mb.videos.segments({ path: { video_id: video.id }, query: { from_ms, to_ms, limit: 500 } });
assert.ok(page.segments.length > 0, "segments in the first minutes");
for (const s of page.segments) assert.ok(s.end_ms > from_ms && s.start_ms < to_ms, `segment ${s.id} in range`);
report.segments = page.segments.length;

// the transcript as WebVTT: text, not JSON
const vtt = await mb.transcripts.export({ path: { video_id: video.id }, query: { format: "vtt" } });
assert.ok(typeof vtt === "string" && vtt.startsWith("WEBVTT"), "a WebVTT document");

// search in three modes
const mine = new Set(videos.map((v) => v.id));
for (const mode of ["keyword", "semantic", "hybrid"] as const) {
  const found = await mb.search({ query: { q, mode, limit: 5 } });
  assert.equal(found.mode, mode);
  assert.ok(found.hits.length > 0, `${mode} finds ${q}`);
  for (const hit of found.hits) assert.ok(mine.has(hit.video_id), "a hit of the organization's own");
  report[mode] = found.hits.length;
}
let hits = 0;
for await (const hit of mb.paginate("search", { query: { q, mode: "keyword", limit: 3 } })) {
  assert.ok(mine.has(hit.video_id));
  if (++hits >= 7) break;
}
assert.ok(hits > 3, "search pages too");

// create a comment, and find it
const comment = await mb.comments.create({
  path: { video_id: video.id },
  body: { body: "From TypeScript: what did they decide here?", position_ms: 61_000 },
});
assert.equal(comment.body, "From TypeScript: what did they decide here?");
const comments = await mb.comments.list({ path: { video_id: video.id } });
assert.ok(JSON.stringify(comments).includes(comment.id), "the new comment is listed");
report.comment = comment.id;

// errors: a problem document, narrowed by its code
const missing = "00000000-0000-7000-8000-000000000000";
const notFound = await mb.videos.get({ path: { video_id: missing } }).then(
  () => assert.fail("a video that is not there"),
  (e: unknown) => e,
);
assert.ok(notFound instanceof MediabaseError && notFound.is("not-found"), String(notFound));
assert.equal(notFound.status, 404);
assert.equal(notFound.problem.type, "https://mediabase.dev/problems/not-found");
const invalid = await mb.videos
  .segments({ path: { video_id: video.id }, query: { from_ms: -5 } })
  .then(() => assert.fail("a negative time"), (e: unknown) => e);
assert.ok(invalid instanceof MediabaseError && invalid.is("invalid"), String(invalid));
assert.equal(invalid.status, 422);
assert.ok(invalid.problem.detail.includes("from_ms"), invalid.problem.detail);
report.errors = [notFound.code, invalid.code];

// another organization's key sees none of these rows
const theirs: string[] = [];
for await (const v of other.paginate("videos.list")) theirs.push(v.id);
assert.ok(theirs.every((id) => !mine.has(id)), "no video of the first organization");
const hidden = await other.videos.get({ path: { video_id: video.id } }).then(() => null, (e: unknown) => e);
assert.ok(hidden instanceof MediabaseError && hidden.is("not-found"), "the first organization's video is not found");
const theirComments = await other.comments.list({ path: { video_id: video.id } }).then(() => null, (e: unknown) => e);
assert.ok(theirComments instanceof MediabaseError && theirComments.status === 404, "nor its comments");
for (const mode of ["keyword", "hybrid"] as const) {
  const found = await other.search({ query: { q, mode } });
  assert.ok(found.hits.every((h) => !mine.has(h.video_id)), `${mode}: none of the first organization's moments`);
}
report.other_videos = theirs.length;

console.log(JSON.stringify(report));
