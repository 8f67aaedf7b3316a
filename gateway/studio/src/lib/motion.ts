// How shots move (the contract's Motion): the choices the page offers, a shot's motion as the server
// decides it (orchestrator/takes.py shot_motion), and the GPU time a plan's generated shots will take.
import type { Motion, Shot } from "../api/types";
import { seconds } from "./format";

export interface MotionChoice {
  value: Motion;
  label: string;
  /** One line a creator reads before choosing. */
  explanation: string;
}

export const MOTIONS: MotionChoice[] = [
  {
    value: "MOTION_CAMERA",
    label: "Camera",
    explanation: "The camera pans and zooms over each still (Ken Burns). Quickest; nothing in the picture moves.",
  },
  {
    value: "MOTION_ANIMATED",
    label: "Animated",
    explanation: "A living animatic on the CPU: layers move with depth, figures breathe and blink, mouths follow the voice.",
  },
  {
    value: "MOTION_GENERATED",
    label: "Generated",
    explanation: "An image-to-video model on a GPU moves each still. Slowest; needs the motion model on the server.",
  },
];

/** What a new film asks for; the server's own default for a film that says nothing (filmstudio/settings.py). */
export const DEFAULT_MOTION: Motion = "MOTION_ANIMATED";

/** "MOTION_GENERATED" -> "Generated". */
export function motionLabel(motion: Motion | undefined): string {
  return MOTIONS.find((choice) => choice.value === motion)?.label ?? "";
}

/** How a planned shot moves: its own motion, else the film's; a title card or black does not move. A film
 * that says nothing (one made before motion was chosen) moves its camera, as the server does. */
export function shotMotion(shot: Shot, filmMotion: Motion | undefined): Motion {
  if (shot.cardText || shot.black) return "MOTION_CAMERA";
  const own = shot.motion && shot.motion !== "MOTION_UNSPECIFIED" ? shot.motion : undefined;
  const film = filmMotion && filmMotion !== "MOTION_UNSPECIFIED" ? filmMotion : undefined;
  return own ?? film ?? "MOTION_CAMERA";
}

/** The estimated GPU seconds of the shots' generated clips (Shot.gpu_time, which the server computes). */
export function gpuSeconds(shots: Shot[]): number {
  return shots.reduce((sum, shot) => sum + seconds(shot.gpuTime), 0);
}

/** 200 -> "≈ 3 min 20 s of GPU"; "" for none. Whole seconds, never "0 s" for a little. */
export function gpuWords(total: number): string {
  if (!(total > 0)) return "";
  const whole = Math.max(1, Math.round(total));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const parts = hours
    ? [`${hours} h`, minutes ? `${minutes} min` : ""]
    : [minutes ? `${minutes} min` : "", rest ? `${rest} s` : ""];
  return `≈ ${parts.filter(Boolean).join(" ")} of GPU`;
}
