import { describe, expect, it, vi } from "vitest";
import { api, csrfToken, onSignedOut } from "../src/api/client";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("the API client", () => {
  it("repeats the fs_csrf cookie in X-CSRF-Token on unsafe methods only, with the cookies", async () => {
    document.cookie = "fs_csrf=abc%3D123";
    const seen: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      seen.push(request);
      return json(200, { films: [] });
    });
    await api.GET("/v1/films");
    await api.POST("/v1/films/{film}:cancel", { params: { path: { film: "f1" } }, body: {} });
    expect(csrfToken()).toBe("abc=123");
    expect(seen[0].headers.get("X-CSRF-Token")).toBeNull();
    expect(seen[1].headers.get("X-CSRF-Token")).toBe("abc=123");
    expect(seen.every((r) => r.credentials === "same-origin")).toBe(true);
  });

  it("refreshes the session once on a 401 and retries the request with its body", async () => {
    document.cookie = "fs_csrf=tok";
    const seen: { path: string; body: string; csrf: string | null }[] = [];
    let expired = true;
    vi.stubGlobal("fetch", async (request: Request) => {
      const path = new URL(request.url).pathname;
      seen.push({ path, body: await request.clone().text(), csrf: request.headers.get("X-CSRF-Token") });
      if (path === "/auth/refresh") {
        expired = false;
        return json(200, { account: {} });
      }
      return expired ? json(401, { code: 16, message: "token expired" }) : json(200, { name: "films/f1" });
    });
    const { data, response } = await api.POST("/v1/films", { body: { script: "INT. ROOM - DAY" } });
    expect(response.status).toBe(200);
    expect(data?.name).toBe("films/f1");
    expect(seen.map((s) => s.path)).toEqual(["/v1/films", "/auth/refresh", "/v1/films"]);
    expect(JSON.parse(seen[2].body)).toEqual({ script: "INT. ROOM - DAY" });
    expect(seen[1].csrf).toBe("tok");
  });

  it("goes back to sign-in when the refresh fails too", async () => {
    const signedOut = vi.fn();
    onSignedOut(signedOut);
    const paths: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      paths.push(new URL(request.url).pathname);
      return json(401, { code: 16, message: "the session has ended" });
    });
    const { response, error } = await api.GET("/v1/films");
    expect(response.status).toBe(401);
    expect(error).toEqual({ code: 16, message: "the session has ended" });
    expect(paths).toEqual(["/v1/films", "/auth/refresh"]);
    expect(signedOut).toHaveBeenCalledOnce();
  });

  it("never refreshes for a wrong password at /auth/signin", async () => {
    const paths: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      paths.push(new URL(request.url).pathname);
      return json(401, { code: 16, message: "wrong email or password: 4 attempts left" });
    });
    await api.POST("/auth/signin", { body: { email: "a@b.c", password: "x" } });
    expect(paths).toEqual(["/auth/signin"]);
  });

  it("sends a development token from #token= as a bearer token", async () => {
    sessionStorage.setItem("filmstudio-dev-token", "dev-123");
    const seen: Request[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      seen.push(request);
      return json(200, {});
    });
    await api.GET("/v1/films");
    expect(seen[0].headers.get("Authorization")).toBe("Bearer dev-123");
  });
});
