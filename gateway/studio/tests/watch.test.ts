import { describe, expect, it, vi } from "vitest";
import { FilmWatcher, type Connection, type FilmEvent } from "../src/api/watch";

function sse(frames: string[]): Response {
  return new Response(frames.join(""), { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

function frame(sequence: number, state?: string): string {
  const event = state ? { sequence: String(sequence), stateChange: { state } } : { sequence: String(sequence), shot: {} };
  return `id: ${sequence}\nevent: film\ndata: ${JSON.stringify(event)}\n\n`;
}

describe("following a film", () => {
  it("says it is reconnecting while the mesh is away and resumes after the last event it saw", async () => {
    const asked: (string | null)[] = [];
    const replies = [
      () => sse([frame(1), frame(2)]), // the stream drops before the film ends
      () => new Response(JSON.stringify({ code: 14, message: "the orchestrator is unavailable" }), { status: 503 }),
      () => Promise.reject(new TypeError("Failed to fetch")), // the gateway itself is down
      () => sse([frame(3), frame(4, "FILM_STATE_SUCCEEDED")]),
    ];
    vi.stubGlobal("fetch", async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (!path.endsWith(":watch")) return new Response(JSON.stringify({ state: "FILM_STATE_GENERATING" }), { status: 200 });
      asked.push(request.headers.get("Last-Event-ID"));
      return replies.shift()!();
    });
    const events: FilmEvent[] = [];
    const connections: Connection[] = [];
    const failed = vi.fn();
    const watcher = new FilmWatcher("f1", { event: (e) => events.push(e), connection: (c) => connections.push(c), failed }, () => 1);
    await watcher.follow();
    expect(events.map((e) => e.sequence)).toEqual(["1", "2", "3", "4"]); // none missed, none repeated
    expect(asked).toEqual([null, "2", "2", "2"]);
    expect(connections).toEqual(["live", "reconnecting", "reconnecting", "reconnecting", "live", "ended"]);
    expect(failed).not.toHaveBeenCalled();
  });

  it("stops, saying why, on an error that waiting will not fix", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ code: 5, message: "film films/f9 not found" }), { status: 404 }));
    const failed = vi.fn();
    await new FilmWatcher("f9", { event: () => {}, connection: () => {}, failed }, () => 1).follow();
    expect(failed).toHaveBeenCalledWith(expect.stringContaining("not found"));
  });
});
