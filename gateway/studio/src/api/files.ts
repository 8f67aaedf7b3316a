// Object URLs of the API (/v1/files/..., as every *Uri field reads). A signed-in browser sends its
// cookie with them; a development token rides in the query, as <img> and <video> cannot send headers.
import { devToken } from "./client";

/** `uri` ready for src/href; `version` changes the URL when the object behind one key changes (a redone shot). */
export function fileUrl(uri: string | undefined, version?: string | number): string {
  if (!uri) return "";
  const query = new URLSearchParams();
  const token = devToken();
  if (token) query.set("access_token", token);
  if (version !== undefined && version !== "") query.set("v", String(version));
  const text = query.toString();
  return text ? `${uri}${uri.includes("?") ? "&" : "?"}${text}` : uri;
}
