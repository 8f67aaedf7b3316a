// What the editor says about a script as you type: ParseScript's answer, read into counts and errors.
import type { SceneGraph } from "../api/types";
import { seconds } from "./format";
import { gpuSeconds } from "./motion";

// The editor's text, kept for the tab so a session that ends mid-edit loses nothing.
export const DRAFT_KEY = "filmstudio-draft";

export const MAX_SCRIPT_BYTES = 1024 * 1024;

/** A problem at a place in the script (the server writes "line L, column C: message"). */
export interface ScriptProblem {
  line: number | null;
  column: number | null;
  message: string;
}

export interface ScriptSummary {
  title: string;
  scenes: number;
  shots: number;
  characters: string[];
  estimatedSeconds: number;
  /** GPU time of the generated shots' clips, as the server estimates it; 0 when none is generated. */
  gpuSeconds: number;
}

const WHERE = /^line (\d+)(?:, column (\d+))?: (.*)$/s;

export function problem(message: string): ScriptProblem {
  const found = WHERE.exec(message);
  if (!found) return { line: null, column: null, message };
  return { line: Number(found[1]), column: found[2] ? Number(found[2]) : null, message: found[3] };
}

export function summarize(graph: SceneGraph | undefined): ScriptSummary {
  const scenes = graph?.scenes ?? [];
  const shots = scenes.flatMap((scene) => scene.shots ?? []);
  return {
    title: graph?.title ?? "",
    scenes: scenes.length,
    shots: shots.length,
    characters: (graph?.characters ?? []).map((character) => character.name ?? "").filter(Boolean),
    estimatedSeconds: shots.reduce((sum, shot) => sum + seconds(shot.duration), 0),
    gpuSeconds: gpuSeconds(shots),
  };
}

/** Offset in `text` of a 1-based line and column, for putting the cursor on a problem. */
export function offsetOf(text: string, line: number, column: number | null): number {
  let offset = 0;
  for (let at = 1; at < line; at++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, (column ?? 1) - 1));
}

/** Why a script file is refused before it is read, or null to read it. */
export function refuseScriptFile(file: File): string | null {
  if (file.size > MAX_SCRIPT_BYTES) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; a script can be at most 1 MB.`;
  }
  return null;
}

export const MAX_PORTRAIT_BYTES = 10 * 1024 * 1024;
export const PORTRAIT_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** Why a portrait is refused before it is uploaded, or null to send it. */
export function refusePortrait(file: File): string | null {
  if (!PORTRAIT_TYPES.includes(file.type)) return `${file.name} is not a PNG, JPEG or WebP image.`;
  if (file.size > MAX_PORTRAIT_BYTES) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; a portrait can be at most 10 MB.`;
  }
  return null;
}
