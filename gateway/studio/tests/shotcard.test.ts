import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import ShotCard from "../src/lib/ShotCard.svelte";
import type { ShotEdit } from "../src/api/types";

const RENDER = { shotId: "s01-sh02", state: "SHOT_STATE_SUCCEEDED" as const, take: 1 };
const PLAN = { id: "s01-sh02", prompt: "a pier at night", framing: "FRAMING_WIDE" as const,
  cameraMove: "CAMERA_MOVE_PUSH_IN" as const, duration: "4s" };

describe("a shot card", () => {
  it("shows how the shot moves and sends a new motion with the redo", async () => {
    const edits: ShotEdit[] = [];
    const onredo = vi.fn(async (edit: ShotEdit) => (edits.push(edit), true));
    render(ShotCard, { render: RENDER, plan: PLAN, filmMotion: "MOTION_ANIMATED", onredo });
    expect(document.querySelector(".motion-line")?.textContent).toBe("Motion: Animated");

    await fireEvent.click(screen.getByRole("button", { name: /Edit shot/ }));
    const motion = screen.getByLabelText("Motion") as HTMLSelectElement;
    expect(motion.value).toBe("");
    expect(motion.options[0].textContent).toBe("Keep (animated)");
    expect([...motion.options].map((option) => option.textContent)).toEqual(["Keep (animated)", "Camera", "Generated"]);
    await fireEvent.change(motion, { target: { value: "MOTION_GENERATED" } });
    expect(document.body.textContent).toContain("needs the GPU motion model");
    await fireEvent.click(screen.getByRole("button", { name: /Redo with these changes/ }));
    expect(edits).toEqual([{ motion: "MOTION_GENERATED" }]);
    expect(screen.queryByLabelText("Motion")).toBeNull(); // the redo started: the form closes
  });

  it("says a generated shot's GPU time, and keeps the edit open with the server's words when refused", async () => {
    const onredo = vi.fn(async () => false);
    const { rerender } = render(ShotCard, {
      render: RENDER, plan: { ...PLAN, motion: "MOTION_GENERATED" as const, gpuTime: "62.500s" },
      filmMotion: "MOTION_CAMERA", onredo,
    });
    expect(document.querySelector(".motion-line")?.textContent).toBe("Motion: Generated (this shot) · ≈ 1 min 3 s of GPU");

    await fireEvent.click(screen.getByRole("button", { name: /Edit shot/ }));
    await fireEvent.change(screen.getByLabelText("Motion"), { target: { value: "MOTION_ANIMATED" } });
    await fireEvent.click(screen.getByRole("button", { name: /Redo with these changes/ }));
    expect(onredo).toHaveBeenCalledWith({ motion: "MOTION_ANIMATED" });
    await rerender({ error: "shot films/f1/shots/s01-sh02 is rendering" });
    expect(screen.getByRole("alert").textContent).toBe("shot films/f1/shots/s01-sh02 is rendering");
    expect(screen.getByLabelText("Motion")).toBeTruthy(); // refused: the edit is still there
  });

  it("offers no motion for a title card, which does not move", async () => {
    render(ShotCard, { render: { ...RENDER, shotId: "s00-sh00" }, plan: { id: "s00-sh00", cardText: "THE PIER" },
      filmMotion: "MOTION_GENERATED", onredo: async () => true });
    expect(document.querySelector(".motion-line")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: /Edit shot/ }));
    expect(screen.queryByLabelText("Motion")).toBeNull();
  });
});
