import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import Library from "../src/lib/Library.svelte";
import { filterFilms } from "../src/lib/library";

const FILMS = [
  { name: "films/a", displayName: "The Lighthouse", script: "", state: "FILM_STATE_SUCCEEDED" as const },
  { name: "films/b", displayName: "Morning", script: "", state: "FILM_STATE_GENERATING" as const },
  { name: "films/c", script: "", sceneGraph: { title: "Lighthouse Keepers" }, state: "FILM_STATE_FAILED" as const },
];

describe("the library", () => {
  it("filters by title, any case, every word", () => {
    expect(filterFilms(FILMS, "").map((f) => f.name)).toEqual(["films/a", "films/b", "films/c"]);
    expect(filterFilms(FILMS, "LIGHTHOUSE").map((f) => f.name)).toEqual(["films/a", "films/c"]);
    expect(filterFilms(FILMS, "keepers light").map((f) => f.name)).toEqual(["films/c"]);
  });

  it("lists the films and narrows them as you type", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ films: FILMS }), { status: 200 }));
    render(Library);
    await screen.findByRole("heading", { name: "The Lighthouse" });
    expect(document.querySelectorAll("#films li")).toHaveLength(3);
    await fireEvent.input(screen.getByLabelText("Search by title"), { target: { value: "morn" } });
    expect([...document.querySelectorAll("#films li")].map((li) => li.getAttribute("data-film"))).toEqual(["b"]);
  });

  it("asks for the trash with show_deleted and shows the purge date", async () => {
    const urls: string[] = [];
    vi.stubGlobal("fetch", async (request: Request) => {
      urls.push(request.url);
      return new Response(JSON.stringify({ films: [{ ...FILMS[0], purgeTime: "2030-01-02T00:00:00Z" }] }), { status: 200 });
    });
    render(Library, { trash: true });
    await screen.findByRole("heading", { name: "The Lighthouse" });
    expect(urls[0]).toContain("show_deleted=true");
    expect(screen.getByText(/Purged on/).textContent).toContain("2030");
    expect(screen.getByRole("button", { name: /Restore/ })).toBeTruthy();
  });
});
