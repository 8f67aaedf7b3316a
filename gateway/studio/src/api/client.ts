// The one client every call goes through: openapi-fetch over the generated contract, with the session
// rules of the gateway (gateway/sessions.py) in a fetch wrapper:
//   - cookies ride along (credentials: same-origin); unsafe methods repeat the fs_csrf cookie in X-CSRF-Token;
//   - a 401 from /v1/... refreshes the session once (/auth/refresh) and retries the request;
//     if that fails too, the page goes back to sign-in (onSignedOut);
//   - a development token from the URL (#token=...) goes in Authorization: Bearer instead.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type { AuthPaths } from "./pending";

export type ApiPaths = paths & AuthPaths;

const DEV_TOKEN_KEY = "filmstudio-dev-token";
const CSRF_COOKIE = "fs_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The development token: `#token=...` in the URL (then kept for the tab), else the one kept before. */
export function takeDevToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#\/?/, "")).get("token");
  if (fromHash) {
    sessionStorage.setItem(DEV_TOKEN_KEY, fromHash);
    history.replaceState(null, "", location.pathname + location.search + "#/");
  }
  return sessionStorage.getItem(DEV_TOKEN_KEY);
}

export function devToken(): string | null {
  return sessionStorage.getItem(DEV_TOKEN_KEY);
}

export function forgetDevToken(): void {
  sessionStorage.removeItem(DEV_TOKEN_KEY);
}

export function csrfToken(cookies: string = document.cookie): string {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === CSRF_COOKIE) return decodeURIComponent(value.join("="));
  }
  return "";
}

function prepare(request: Request): Request {
  const headers = new Headers(request.headers);
  if (!SAFE_METHODS.has(request.method.toUpperCase())) headers.set("X-CSRF-Token", csrfToken());
  const token = devToken();
  if (token && !headers.has("Authorization")) headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers, credentials: "same-origin" });
}

let signedOut: () => void = () => {};
let refreshing: Promise<boolean> | null = null;

/** Called once a session has ended for good (the refresh failed): the page shows sign-in. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler;
}

/** Renews the session cookies; concurrent 401s share one refresh. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= globalThis
    .fetch(prepare(new Request(new URL("/auth/refresh", location.origin), { method: "POST" })))
    .then((reply) => reply.ok, () => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** fetch with the session rules above; what openapi-fetch and the event stream call. */
export async function sessionFetch(request: Request): Promise<Response> {
  const retry = request.clone(); // a body can be read once: keep one for the second try
  const reply = await globalThis.fetch(prepare(request));
  if (reply.status !== 401 || !new URL(request.url).pathname.startsWith("/v1/")) return reply;
  if (await refreshSession()) {
    const again = await globalThis.fetch(prepare(retry));
    if (again.status !== 401) return again;
  }
  signedOut();
  return reply;
}

export const api = createClient<ApiPaths>({ baseUrl: location.origin, fetch: sessionFetch });

/** An error reply, with the server's own words. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

/** The server's message in an error body: google.rpc.Status, bare or under "error". */
export function errorMessage(body: unknown, status: number): string {
  const value = body as { message?: string; error?: { message?: string } } | undefined;
  return value?.error?.message || value?.message || `the server answered ${status}`;
}

/** The data of a reply, or an ApiError with the server's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw new ApiError(
    errorMessage(result.error, result.response.status),
    result.response.status,
    result.response.headers.get("Retry-After"),
  );
}

/** What to say about a thrown error. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The studio could not reach the server. Check your connection and try again.";
  return String((error as Error)?.message ?? error);
}
