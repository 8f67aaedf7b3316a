import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import Editor from "../src/lib/Editor.svelte";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const GOOD = {
  sceneGraph: {
    title: "The Room",
    characters: [{ id: "char-maya", name: "MAYA" }],
    scenes: [{ id: "s01", shots: [{ id: "s01-sh01", duration: "4.5s" }, { id: "s01-sh02", duration: "3s" }] }],
  },
  warnings: [],
};

async function settle(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe("the script editor", () => {
  it("shows parse errors at their line and column and keeps Make off until they are fixed", async () => {
    vi.useFakeTimers();
    const bodies: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      const body = (await request.json()) as { script: string };
      bodies.push(body.script);
      return body.script.includes("/*")
        ? json(400, { code: 3, message: "line 3, column 1: unclosed boneyard (no matching */)" })
        : json(200, GOOD);
    });
    render(Editor);
    const script = screen.getByLabelText(/^Script/) as HTMLTextAreaElement;
    const make = document.getElementById("make") as HTMLButtonElement;

    await fireEvent.input(script, { target: { value: "INT. ROOM - DAY\n\n/* a note" } });
    await settle(100);
    expect(bodies).toEqual([]); // debounced: nothing sent while typing
    await settle(400);
    expect(bodies).toHaveLength(1);
    expect(document.getElementById("parse-errors")?.textContent).toContain("Line 3, column 1");
    expect(document.getElementById("parse-errors")?.textContent).toContain("unclosed boneyard");
    expect(make.disabled).toBe(true);

    await fireEvent.input(script, { target: { value: "INT. ROOM - DAY\n\nMaya waits." } });
    await settle(500);
    expect(document.getElementById("parse-errors")).toBeNull();
    expect(document.getElementById("count-scenes")?.textContent).toBe("1");
    expect(document.getElementById("count-shots")?.textContent).toBe("2");
    expect(document.getElementById("estimate")?.textContent).toBe("0:08");
    expect(document.getElementById("characters-found")?.textContent).toContain("MAYA");
    expect(make.disabled).toBe(false);
    expect(sessionStorage.getItem("filmstudio-draft")).toBe("INT. ROOM - DAY\n\nMaya waits.");
  });

  it("asks for animated motion by default, and for the GPU with its fallback when Generated is chosen", async () => {
    vi.useFakeTimers();
    const sent: { settings: Record<string, unknown> }[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      const body = (await request.json()) as { settings: Record<string, unknown> };
      sent.push(body);
      const generated = body.settings.motion === "MOTION_GENERATED";
      const shots = [{ id: "s01-sh01", duration: "4.5s", gpuTime: generated ? "120.5s" : undefined },
        { id: "s01-sh02", duration: "3s", gpuTime: generated ? "80s" : undefined }];
      return json(200, { sceneGraph: { ...GOOD.sceneGraph, scenes: [{ id: "s01", shots }] } });
    });
    render(Editor);
    await fireEvent.input(screen.getByLabelText(/^Script/), { target: { value: "INT. ROOM - DAY\n\nMaya waits." } });
    await settle(500);
    expect(sent.at(-1)?.settings.motion).toBe("MOTION_ANIMATED");
    expect(sent.at(-1)?.settings.motionFallback).toBeUndefined();
    expect((screen.getByLabelText(/^Animated/) as HTMLInputElement).checked).toBe(true);
    expect(document.getElementById("motion-fallback")).toBeNull();
    expect(document.getElementById("gpu-estimate")).toBeNull();

    await fireEvent.click(screen.getByLabelText(/^Generated/));
    await settle(500);
    expect(sent.at(-1)?.settings.motion).toBe("MOTION_GENERATED");
    expect(document.getElementById("gpu-estimate")?.textContent).toContain("≈ 3 min 21 s of GPU");
    const fallback = document.getElementById("motion-fallback") as HTMLInputElement;
    expect(fallback.checked).toBe(false);
    await fireEvent.click(fallback);
    await settle(500);
    expect(sent.at(-1)?.settings.motionFallback).toBe(true);
  });

  it("shows the server's words when it has no motion model for a generated film", async () => {
    vi.useFakeTimers();
    const refusal = "motion MOTION_GENERATED needs the image-to-video model, and Triton has no motion weights loaded";
    vi.stubGlobal("fetch", async (request: Request) =>
      request.url.endsWith("/v1/films") ? json(400, { code: 9, message: refusal }) : json(200, GOOD));
    render(Editor);
    await fireEvent.input(screen.getByLabelText(/^Script/), { target: { value: "INT. ROOM - DAY\n\nMaya waits." } });
    await fireEvent.click(screen.getByLabelText(/^Generated/));
    await settle(500);
    await fireEvent.click(document.getElementById("make") as HTMLButtonElement);
    await settle(10);
    expect(document.getElementById("submit-error")?.textContent).toBe(refusal);
    expect(document.getElementById("parse-errors")).toBeNull();
    expect(document.body.textContent).toContain("Fall back to animated");
  });

  it("refuses a script file over 1 MB without reading it", async () => {
    vi.stubGlobal("fetch", async () => json(200, GOOD));
    render(Editor);
    const file = new File(["x"], "epic.fountain", { type: "text/plain" });
    Object.defineProperty(file, "size", { value: 3 * 1024 * 1024 });
    const read = vi.spyOn(file, "text");
    const input = document.getElementById("upload") as HTMLInputElement;
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    await fireEvent.change(input);
    expect(document.getElementById("file-note")?.textContent).toContain("at most 1 MB");
    expect(read).not.toHaveBeenCalled();
    expect((screen.getByLabelText(/^Script/) as HTMLTextAreaElement).value).toBe("");
  });

  it("keeps the draft of a session that ended", async () => {
    sessionStorage.setItem("filmstudio-draft", "EXT. PIER - NIGHT");
    vi.stubGlobal("fetch", async () => json(200, GOOD));
    render(Editor);
    expect((screen.getByLabelText(/^Script/) as HTMLTextAreaElement).value).toBe("EXT. PIER - NIGHT");
  });
});
