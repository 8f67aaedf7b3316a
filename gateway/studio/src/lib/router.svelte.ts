// Hash routes: the gateway serves one index.html, and #/... never reaches the server.
//   #/  library   #/trash   #/new  script editor   #/films/{id}  a film   #/account
export type Route =
  | { page: "library"; trash: boolean }
  | { page: "new" }
  | { page: "film"; id: string }
  | { page: "account" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const film = /^\/films\/([^/?#]+)/.exec(path);
  if (film) return { page: "film", id: decodeURIComponent(film[1]) };
  if (path === "/new") return { page: "new" };
  if (path === "/account") return { page: "account" };
  return { page: "library", trash: path === "/trash" };
}

export const router = $state({ route: parseRoute(location.hash) });

addEventListener("hashchange", () => {
  router.route = parseRoute(location.hash);
});

export function go(hash: string): void {
  if (location.hash === hash) router.route = parseRoute(hash);
  else location.hash = hash;
}
