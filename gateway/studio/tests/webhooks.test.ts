import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import Webhooks from "../src/lib/Webhooks.svelte";

const HOOK = {
  name: "account/webhooks/w0123456789abcdef",
  url: "https://cms.example.com/in",
  description: "CMS",
  eventTypes: ["WEBHOOK_EVENT_TYPE_FILM_SUCCEEDED"],
  health: "WEBHOOK_HEALTH_FAILING",
  consecutiveFailures: 3,
  lastAttemptTime: "2030-01-01T12:00:00Z",
  lastResult: "HTTP 500: down",
};
const DELIVERY = {
  name: `${HOOK.name}/deliveries/msg_1`,
  eventType: "WEBHOOK_EVENT_TYPE_FILM_SUCCEEDED",
  film: "films/lighthouse",
  state: "WEBHOOK_DELIVERY_STATE_PENDING",
  nextAttemptTime: "2030-01-01T12:05:00Z",
  attempts: [{ attemptTime: "2030-01-01T12:00:00Z", httpStatus: 500, result: "HTTP 500: down", duration: "0.250s" }],
};

type Answer = { status: number; body: unknown };

function server(answer: (method: string, url: string, body: string) => Answer) {
  const seen: { method: string; url: string; body: string }[] = [];
  vi.stubGlobal("fetch", async (request: Request) => {
    const body = request.method === "GET" ? "" : await request.text();
    seen.push({ method: request.method, url: request.url, body });
    const { status, body: out } = answer(request.method, request.url, body);
    return new Response(JSON.stringify(out), { status });
  });
  return seen;
}

describe("webhooks", () => {
  it("lists endpoints with their health and last result, and their deliveries on request", async () => {
    server((_m, url) => ({ status: 200, body: url.includes("/deliveries") ? { deliveries: [DELIVERY] } : { webhooks: [HOOK] } }));
    render(Webhooks);
    await screen.findByText("CMS");
    const item = document.querySelector("#webhooks li")!;
    expect(item.textContent).toContain("film.succeeded");
    expect(item.textContent).toContain("failing");
    expect(item.textContent).toContain("3 failed in a row");
    expect(item.textContent).toContain("HTTP 500: down");
    await fireEvent.click(screen.getByRole("button", { name: /^Deliveries/ }));
    await screen.findByText(/0.25 s/);
    const row = document.querySelector(".deliveries tbody tr")!;
    expect(row.textContent).toContain("lighthouse");
    expect(row.textContent).toContain("pending");
    expect(row.textContent).toContain("next");
  });

  it("adds an endpoint with the events ticked and shows its secret once", async () => {
    const seen = server((method) => method === "POST"
      ? { status: 200, body: { webhook: { ...HOOK, health: "WEBHOOK_HEALTH_HEALTHY", consecutiveFailures: 0 }, secret: "whsec_c2VjcmV0" } }
      : { status: 200, body: { webhooks: [] } });
    render(Webhooks);
    await fireEvent.input(screen.getByLabelText(/URL/), { target: { value: " https://cms.example.com/in " } });
    await fireEvent.click(screen.getByLabelText("film.failed"));
    await fireEvent.submit(document.querySelector("form")!);
    expect((await screen.findByText("whsec_c2VjcmV0")).id).toBe("webhook-secret");
    const post = seen.find((s) => s.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ url: "https://cms.example.com/in", description: "", eventTypes: ["WEBHOOK_EVENT_TYPE_FILM_FAILED"] });
    expect(document.querySelectorAll("#webhooks li")).toHaveLength(1);
  });

  it("shows the server's refusal in the form, named", async () => {
    server((method) => method === "POST"
      ? { status: 400, body: { code: 3, message: "webhook url's host 'intranet' resolves to 10.0.0.7, a private address" } }
      : { status: 200, body: { webhooks: [] } });
    render(Webhooks);
    await fireEvent.input(screen.getByLabelText(/URL/), { target: { value: "https://intranet/in" } });
    await fireEvent.submit(document.querySelector("form")!);
    expect((await screen.findByRole("alert")).textContent).toContain("10.0.0.7, a private address");
    expect(document.querySelector("#webhook-secret")).toBeNull();
  });
});
