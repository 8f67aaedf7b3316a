// Following a film: GET /v1/films/{film}:watch as Server-Sent Events, read with fetch so the session
// rules of the client apply. A stream that drops before the film ends is opened again with
// Last-Event-ID, so no event is missed or repeated; while it is away the page says "reconnecting…".
import { api, ApiError, errorMessage } from "./client";
import type { components } from "./schema";

export type FilmEvent = components["schemas"]["filmstudio.v1.FilmEvent"];
export type Connection = "live" | "reconnecting" | "ended";

const ENDED = new Set(["FILM_STATE_SUCCEEDED", "FILM_STATE_FAILED", "FILM_STATE_CANCELLED"]);
// Errors worth waiting out: the mesh restarting, a deadline, a gateway in between going away.
const TRANSIENT = new Set([502, 503, 504]);
const TRANSIENT_CODES = new Set([4, 10, 14]); // DEADLINE_EXCEEDED, ABORTED, UNAVAILABLE

export interface WatchHandlers {
  event(event: FilmEvent): void;
  connection(state: Connection): void;
  /** The stream stopped for a reason waiting will not fix. */
  failed(message: string): void;
}

/** The frames of an SSE body: each as its fields ("id", "event", "data"). */
export async function* sseFrames(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<Record<string, string>> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of frame.split("\n")) {
        if (!line || line.startsWith(":")) continue; // a keep-alive comment
        const at = line.indexOf(":");
        const key = at < 0 ? line : line.slice(0, at);
        const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
        fields[key] = key in fields ? `${fields[key]}\n${value}` : value;
      }
      if (Object.keys(fields).length) yield fields;
    }
  }
}

/**
 * Follows one film. `follow()` streams until the film ends; calling it again while a stream is ending
 * (after a redo) asks for one more pass, which resumes after the last event seen.
 */
export class FilmWatcher {
  lastSequence = 0;
  private running = false;
  private again = false;
  private stopped = new AbortController();

  constructor(
    private readonly film: string, // the id: "films/{film}" without "films/"
    private readonly on: WatchHandlers,
    private readonly retryDelayMs = (attempt: number) => Math.min(5000, 500 * 2 ** attempt),
  ) {}

  stop(): void {
    this.stopped.abort();
  }

  async follow(): Promise<void> {
    this.again = true;
    if (this.running) return;
    this.running = true;
    try {
      while (this.again && !this.stopped.signal.aborted) {
        this.again = false;
        await this.stream();
      }
    } finally {
      this.running = false;
    }
  }

  /** Whether the film is over: a stream that resumes past its last event closes at once. */
  private async hasEnded(): Promise<boolean> {
    const { data } = await api.GET("/v1/films/{film}", { params: { path: { film: this.film } } });
    return ENDED.has(data?.state ?? "");
  }

  private async stream(): Promise<void> {
    let ended = false;
    for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (this.lastSequence) headers["Last-Event-ID"] = String(this.lastSequence);
        const { response, error } = await api.GET("/v1/films/{film}:watch", {
          params: { path: { film: this.film } },
          headers,
          parseAs: "stream",
          signal: this.stopped.signal,
        });
        if (!response.ok || !response.body) {
          const body = error ?? (await response.json().catch(() => undefined));
          throw new ApiError(errorMessage(body, response.status), response.status);
        }
        this.on.connection("live");
        attempt = 0;
        for await (const frame of sseFrames(response.body)) {
          if (frame.event === "error") {
            const status = JSON.parse(frame.data || "{}") as { code?: number; message?: string };
            if (TRANSIENT_CODES.has(status.code ?? 0)) throw new Error(status.message);
            this.on.failed(status.message || "the film's event stream failed");
            this.on.connection("ended");
            return;
          }
          if (!frame.data) continue;
          const event = JSON.parse(frame.data) as FilmEvent;
          if (frame.id) this.lastSequence = Number(frame.id);
          else if (event.sequence) this.lastSequence = Number(event.sequence);
          this.on.event(event);
          if (event.stateChange?.state && ENDED.has(event.stateChange.state)) ended = true;
        }
        if (ended || (await this.hasEnded())) {
          this.on.connection("ended");
          return;
        }
        // Closed before the film ended: the mesh went away under the gateway. Resume.
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        if (error instanceof ApiError && !TRANSIENT.has(error.status)) {
          this.on.failed(error.message);
          this.on.connection("ended");
          return;
        }
      }
      this.on.connection("reconnecting");
      await new Promise((wake) => setTimeout(wake, this.retryDelayMs(attempt)));
    }
  }
}
