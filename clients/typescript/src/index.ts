// @mediabase/client: a typed client for the mediabase HTTP API.
//
//     const mb = createClient({ baseUrl: "http://127.0.0.1:8000", apiKey: process.env.MEDIABASE_KEY });
//     const page = await mb.videos.list({ query: { limit: 20 } });
//     for await (const video of mb.paginate("videos.list", { query: { limit: 100 } })) { ... }
//     await mb.comments.create({ path: { video_id }, body: { body: "Nice", position_ms: 1000 } });
//
// Every operation of the OpenAPI document is a method named by its operationId
// (`videos.list` → `mb.videos.list`, `search` → `mb.search`); its arguments (path, query, body)
// and its answer are typed from the document (src/schema.ts, generated). An error answer is thrown
// as a MediabaseError carrying the problem document (RFC 9457); narrow it with `error.is(code)`.
// No runtime dependency: the platform's fetch.

import { API_VERSION, OPERATIONS, PROBLEM_CODES } from "./operations.js";
import type { components, operations } from "./schema.js";

export type { components, operations, paths } from "./schema.js";
export { API_VERSION, OPERATIONS, PROBLEM_CODES };

export type OperationId = keyof operations & keyof typeof OPERATIONS;
type Op<K extends OperationId> = operations[K];
type Params<K extends OperationId> = Op<K>["parameters"];
type IsNever<T> = [T] extends [never] ? true : false;

type PathArg<K extends OperationId> = Params<K> extends { path: infer P } ? { path: P } : unknown;
type QueryArg<K extends OperationId> =
  Params<K> extends { query: infer Q }
    ? { query: Q }
    : Params<K> extends { query?: infer Q }
      ? IsNever<Exclude<Q, undefined>> extends true
        ? unknown
        : { query?: Exclude<Q, undefined> }
      : unknown;
type JsonOf<C> = C extends { "application/json": infer J } ? J : never;
type FormOf<C> = C extends { "multipart/form-data": unknown } ? FormData : never;
type BodyOf<C> = IsNever<JsonOf<C>> extends true ? FormOf<C> : JsonOf<C>;
type BodyArg<K extends OperationId> =
  Op<K> extends { requestBody: { content: infer C } }
    ? { body: BodyOf<C> }
    : Op<K> extends { requestBody?: { content: infer C } }
      ? IsNever<BodyOf<C>> extends true
        ? unknown
        : { body?: BodyOf<C> }
      : unknown;

/** What a call takes: `path` and `query` parameters and the `body`, as the operation declares them. */
export type Args<K extends OperationId> = PathArg<K> &
  QueryArg<K> &
  BodyArg<K> & {
    /** extra request headers */
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

type Responses<K extends OperationId> = Op<K>["responses"];
type ContentOf<R> = R extends { content: infer C } ? C[keyof C] : undefined;
/** What a call answers: the body of its 2xx response (JSON parsed; text as a string; binary as a Blob). */
export type Answer<K extends OperationId> = {
  [S in keyof Responses<K>]: S extends 200 | 201 | 202 | 203 | 204 ? ContentOf<Responses<K>[S]> : never;
}[keyof Responses<K>];

type Call<K extends OperationId> = {} extends Args<K>
  ? (args?: Args<K>) => Promise<Answer<K>>
  : (args: Args<K>) => Promise<Answer<K>>;
type Namespace<K> = K extends `${infer N}.${string}` ? N : never;
type Methods<N extends string> = {
  [K in OperationId as K extends `${N}.${infer M}` ? M : never]: Call<K>;
};
/** The client: `client.<namespace>.<method>(args)` for every operation, and the top-level ones. */
export type Client = { [N in Namespace<OperationId>]: Methods<N> } & {
  [K in OperationId as K extends `${string}.${string}` ? never : K]: Call<K>;
} & {
  /** Every item of a paged list, page after page (following next_cursor). */
  paginate<K extends PagedOperationId>(operation: K, args?: Args<K>): AsyncGenerator<ItemOf<K>, void, undefined>;
  /** Call an operation by its id. */
  call<K extends OperationId>(operation: K, args?: Args<K>): Promise<Answer<K>>;
};

type PagesField<K extends OperationId> = (typeof OPERATIONS)[K] extends { pages: infer F } ? F : never;
export type PagedOperationId = { [K in OperationId]: IsNever<PagesField<K>> extends true ? never : K }[OperationId];
/** One item of a paged operation's list ("items", or "hits" for search). */
export type ItemOf<K extends PagedOperationId> =
  Answer<K> extends Record<PagesField<K> & string, ReadonlyArray<infer T>> ? T : never;

export type Problem = components["schemas"]["Problem"];
export type ProblemCode = (typeof PROBLEM_CODES)[number];
const PROBLEM_BASE = "https://mediabase.dev/problems/";

/** An error answer: its HTTP status and problem document (RFC 9457). */
export class MediabaseError extends Error {
  /** the problem's code: its type is https://mediabase.dev/problems/<code> */
  readonly code: ProblemCode | "unknown";

  constructor(
    readonly operation: OperationId,
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${operation}: ${status} ${problem.title}: ${problem.detail}`);
    this.name = "MediabaseError";
    const code = problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : "";
    this.code = (PROBLEM_CODES as readonly string[]).includes(code) ? (code as ProblemCode) : "unknown";
  }

  /** Whether the problem is of this code (and narrows `code` to it). */
  is<C extends ProblemCode>(code: C): this is MediabaseError & { readonly code: C } {
    return this.code === code;
  }
}

export interface ClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:8000 */
  baseUrl: string;
  /** An API key mb_… or a session token mbs_… (sent as X-API-Key) */
  apiKey?: string;
  /** Headers sent with every request */
  headers?: Record<string, string>;
  /** A fetch of your own (tests, proxies); the platform's by default */
  fetch?: typeof fetch;
}

type AnyArgs = {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

function urlOf(base: string, template: string, args: AnyArgs): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = args.path?.[name];
    if (value === undefined || value === null) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [name, value] of Object.entries(args.query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
  }
  return url.toString();
}

async function answerOf(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (type === "application/json" || type.endsWith("+json")) return response.json();
  if (type.startsWith("text/") || type === "application/x-subrip" || type === "image/svg+xml") return response.text();
  return response.blob();
}

export function createClient(options: ClientOptions): Client {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base: Record<string, string> = { Accept: "application/json, */*;q=0.5", ...options.headers };
  if (options.apiKey) base["X-API-Key"] = options.apiKey;

  async function call<K extends OperationId>(operation: K, args?: Args<K>): Promise<Answer<K>> {
    const spec = OPERATIONS[operation] as { method: string; path: string };
    if (!spec) throw new TypeError(`unknown operation ${String(operation)}`);
    const a = (args ?? {}) as AnyArgs;
    const headers: Record<string, string> = { ...base, ...a.headers };
    let body: BodyInit | undefined;
    if (a.body instanceof FormData) body = a.body;
    else if (a.body !== undefined) {
      body = JSON.stringify(a.body);
      headers["Content-Type"] = "application/json";
    }
    const response = await doFetch(urlOf(options.baseUrl, spec.path, a), {
      method: spec.method,
      headers,
      body,
      signal: a.signal,
    });
    if (!response.ok) {
      const text = await response.text();
      let problem: Problem;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        problem = {
          type: "about:blank", title: response.statusText, status: response.status, detail: text.slice(0, 500),
          instance: null, request_id: null, field: null, constraint: null, errors: null,
        };
      }
      throw new MediabaseError(operation, response.status, problem);
    }
    return (await answerOf(response)) as Answer<K>;
  }

  async function* paginate<K extends PagedOperationId>(operation: K, args?: Args<K>): AsyncGenerator<ItemOf<K>, void, undefined> {
    const field = (OPERATIONS[operation] as { pages: string }).pages;
    const a = { ...(args ?? {}) } as AnyArgs;
    let cursor: string | null | undefined = (a.query?.cursor as string | undefined) ?? undefined;
    do {
      const page = (await call(operation, { ...a, query: { ...a.query, cursor } } as unknown as Args<K>)) as Record<string, unknown>;
      for (const item of (page[field] as ItemOf<K>[] | undefined) ?? []) yield item;
      cursor = page["next_cursor"] as string | null | undefined;
    } while (cursor);
  }

  const client: Record<string, unknown> = { call, paginate };
  for (const id of Object.keys(OPERATIONS) as OperationId[]) {
    const dot = id.indexOf(".");
    const method = (args?: Args<typeof id>) => call(id, args);
    if (dot < 0) client[id] = method;
    else ((client[id.slice(0, dot)] ??= {}) as Record<string, unknown>)[id.slice(dot + 1)] = method;
  }
  return client as Client;
}
