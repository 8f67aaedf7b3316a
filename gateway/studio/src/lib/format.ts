// How the page writes the API's values: proto3-JSON durations ("12.5s"), enum names, timestamps.

/** Seconds in a proto3-JSON duration ("12.5s"); 0 for none. */
export function seconds(duration: string | undefined): number {
  if (!duration) return 0;
  const value = Number.parseFloat(duration);
  return Number.isFinite(value) ? value : 0;
}

/** 75.2 -> "1:15". */
export function clock(total: number): string {
  const whole = Math.round(total);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** "FILM_STATE_SUCCEEDED" -> "succeeded". */
export function stateWord(state: string | undefined, prefix: string): string {
  if (!state) return "";
  return state.replace(prefix, "").toLowerCase();
}

/** "CAMERA_MOVE_PUSH_IN" -> "push in". */
export function enumWords(value: string | undefined, prefix: string): string {
  return stateWord(value, prefix).replace(/_/g, " ");
}

export function date(time: string | undefined): string {
  if (!time) return "";
  return new Date(time).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function dateTime(time: string | undefined): string {
  if (!time) return "";
  return new Date(time).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "films/abc" -> "abc". */
export function filmId(name: string | undefined): string {
  return (name ?? "").replace(/^films\//, "");
}

/** Credit seconds as the account page writes them: "4:30" of film. */
export function credit(total: number | undefined): string {
  const value = total ?? 0;
  return `${value < 0 ? "−" : ""}${clock(Math.abs(value))}`;
}
