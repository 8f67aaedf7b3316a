// Routes the generated schema does not have (yet), written in openapi-typescript's shape so every call
// still goes through the one typed client.
//
// AuthPaths stay here: /auth/* are the gateway's cookie pages, not gRPC routes, so the OpenAPI document
// never lists them. The account routes are AccountService's: they move to schema.d.ts (and out of this
// file) once its protos are in the descriptor set.

interface Json<T> {
  content: { "application/json": T };
}
interface Status {
  code?: number;
  message?: string;
}
type Reply<T> = { headers: Record<string, unknown> } & Json<T>;
/** One operation, as openapi-typescript writes them: `Body`/`Query`/`Path` undefined when it has none. */
type Op<Out, Body = undefined, Query = undefined, Path = undefined> = {
  parameters: { query?: Query extends undefined ? never : Query; header?: never; cookie?: never } & (Path extends undefined
    ? { path?: never }
    : { path: Path });
  responses: { 200: Reply<Out>; default: Reply<Status> };
} & (Body extends undefined ? { requestBody?: never } : { requestBody: Json<Body> });
interface Route {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
}

export interface Account {
  name?: string;
  email?: string;
  displayName?: string;
  balanceSeconds?: number;
  monthlyGrantSeconds?: number;
  createTime?: string;
}
export interface LedgerEntry {
  createTime?: string;
  deltaSeconds?: number;
  balanceSeconds?: number;
  reason?: string;
  film?: string;
  description?: string;
}
export interface ApiToken {
  name?: string;
  displayName?: string;
  createTime?: string;
  expireTime?: string;
}
export interface Providers {
  password?: boolean;
  oidc?: { id: string; name: string }[];
}
export interface VoicePreview {
  audioUri?: string;
  text?: string;
  duration?: string;
}

export interface AuthPaths {
  "/auth/signup": Route & { post: Op<{ account?: Account }, { email: string; password: string; displayName: string }> };
  "/auth/signin": Route & { post: Op<{ account?: Account }, { email: string; password: string }> };
  "/auth/refresh": Route & { post: Op<{ account?: Account }> };
  "/auth/signout": Route & { post: Op<Record<string, never>> };
  "/auth/providers": Route & { get: Op<Providers> };
}

export interface AccountPaths {
  "/v1/account": Route & { get: Op<Account> };
  "/v1/account/ledger": Route & {
    get: Op<{ entries?: LedgerEntry[]; nextPageToken?: string }, undefined, { pageSize?: number; pageToken?: string }>;
  };
  "/v1/account/tokens": Route & {
    get: Op<{ tokens?: ApiToken[] }>;
    post: Op<{ token?: ApiToken; secret?: string }, { displayName: string; ttl?: string }>;
  };
  "/v1/account/tokens/{token}": Route & { delete: Op<Record<string, never>, undefined, undefined, { token: string }> };
  "/v1/films/{film}/characters/{character}:previewVoice": Route & {
    post: Op<VoicePreview, { text?: string }, undefined, { film: string; character: string }>;
  };
}
