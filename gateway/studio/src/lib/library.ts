// The library's search: a plain filter over the films already listed.
import type { Film } from "../api/types";

export function filmTitle(film: Film): string {
  return film.displayName || film.sceneGraph?.title || "Untitled film";
}

export function filterFilms(films: Film[], query: string): Film[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return films;
  return films.filter((film) => {
    const title = filmTitle(film).toLowerCase();
    return words.every((word) => title.includes(word));
  });
}
