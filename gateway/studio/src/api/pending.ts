// The gateway's cookie pages at /auth (gateway/sessions.py), written in openapi-typescript's shape so
// these calls go through the one typed client too. They are not gRPC routes, so the OpenAPI document
// generated from the protos never lists them.
import type { Account } from "./types";

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

export interface Providers {
  password?: boolean;
  oidc?: { id: string; name: string }[];
}
export interface AuthPaths {
  "/auth/signup": Route & { post: Op<{ account?: Account }, { email: string; password: string; displayName: string }> };
  "/auth/signin": Route & { post: Op<{ account?: Account }, { email: string; password: string }> };
  "/auth/refresh": Route & { post: Op<{ account?: Account }> };
  "/auth/signout": Route & { post: Op<Record<string, never>> };
  "/auth/providers": Route & { get: Op<Providers> };
}
