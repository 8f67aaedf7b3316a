// The storyboard's shots: ShotRenders from the film, the regenerate reply and the event stream, merged
// so an older answer never takes a card back (a higher take wins; within a take, the later state).
import type { Shot, ShotRender, SceneGraph } from "../api/types";

const STATE_ORDER: Record<string, number> = {
  SHOT_STATE_UNSPECIFIED: 0,
  SHOT_STATE_PENDING: 1,
  SHOT_STATE_RENDERING: 2,
  SHOT_STATE_SUCCEEDED: 3,
  SHOT_STATE_FAILED: 3,
  SHOT_STATE_CANCELLED: 3,
};

function newer(incoming: ShotRender, current: ShotRender): boolean {
  const take = (incoming.take ?? 0) - (current.take ?? 0);
  if (take !== 0) return take > 0;
  return (STATE_ORDER[incoming.state ?? ""] ?? 0) >= (STATE_ORDER[current.state ?? ""] ?? 0);
}

/** `shots` with `incoming` merged in, in film order (new shots at the end until the film says otherwise). */
export function mergeShots(shots: ShotRender[], incoming: ShotRender[]): ShotRender[] {
  const merged = [...shots];
  for (const shot of incoming) {
    const at = merged.findIndex((s) => s.shotId === shot.shotId);
    if (at < 0) merged.push(shot);
    else if (newer(shot, merged[at])) merged[at] = shot;
  }
  return merged;
}

/** The planned shots by id, from the scene graph. */
export function plannedShots(graph: SceneGraph | undefined): Map<string, Shot> {
  const plan = new Map<string, Shot>();
  for (const scene of graph?.scenes ?? []) for (const shot of scene.shots ?? []) if (shot.id) plan.set(shot.id, shot);
  return plan;
}
