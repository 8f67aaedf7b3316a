import { describe, expect, it } from "vitest";
import { gpuSeconds, gpuWords, motionLabel, MOTIONS, shotMotion } from "../src/lib/motion";
import { summarize } from "../src/lib/script";

describe("motion", () => {
  it("offers camera, animated and generated, each explained", () => {
    expect(MOTIONS.map((choice) => choice.value)).toEqual(["MOTION_CAMERA", "MOTION_ANIMATED", "MOTION_GENERATED"]);
    for (const choice of MOTIONS) expect(choice.explanation.length).toBeGreaterThan(20);
    expect(motionLabel("MOTION_GENERATED")).toBe("Generated");
    expect(motionLabel(undefined)).toBe("");
  });

  it("moves a shot as it says, else as the film, and never a card or black", () => {
    const pictured = { id: "s01-sh01", prompt: "a pier at night" };
    expect(shotMotion(pictured, "MOTION_ANIMATED")).toBe("MOTION_ANIMATED");
    expect(shotMotion({ ...pictured, motion: "MOTION_UNSPECIFIED" }, "MOTION_GENERATED")).toBe("MOTION_GENERATED");
    expect(shotMotion({ ...pictured, motion: "MOTION_GENERATED" }, "MOTION_CAMERA")).toBe("MOTION_GENERATED");
    // A film that says nothing (made before motion was chosen) moves its camera, as the server does.
    expect(shotMotion(pictured, undefined)).toBe("MOTION_CAMERA");
    expect(shotMotion(pictured, "MOTION_UNSPECIFIED")).toBe("MOTION_CAMERA");
    expect(shotMotion({ id: "s01-sh00", cardText: "THE PIER", motion: "MOTION_GENERATED" }, "MOTION_GENERATED"))
      .toBe("MOTION_CAMERA");
    expect(shotMotion({ id: "s09-sh09", black: true }, "MOTION_ANIMATED")).toBe("MOTION_CAMERA");
  });

  it("sums the plan's GPU time and writes it in minutes and seconds", () => {
    const shots = [{ gpuTime: "12.500s" }, { gpuTime: "0s" }, {}, { gpuTime: "187.5s" }];
    expect(gpuSeconds(shots)).toBe(200);
    expect(gpuSeconds([])).toBe(0);
    expect(gpuWords(200)).toBe("≈ 3 min 20 s of GPU");
    expect(gpuWords(45.4)).toBe("≈ 45 s of GPU");
    expect(gpuWords(120)).toBe("≈ 2 min of GPU");
    expect(gpuWords(0.2)).toBe("≈ 1 s of GPU"); // a little is not nothing
    expect(gpuWords(3 * 3600 + 125)).toBe("≈ 3 h 2 min of GPU");
    expect(gpuWords(3600)).toBe("≈ 1 h of GPU");
    expect(gpuWords(0)).toBe("");
    expect(gpuWords(Number.NaN)).toBe("");
  });

  it("puts the GPU time in the editor's summary of a plan", () => {
    const graph = {
      scenes: [
        { id: "s01", shots: [{ id: "s01-sh01", duration: "4s", gpuTime: "60s" }, { id: "s01-sh02", duration: "3s" }] },
        { id: "s02", shots: [{ id: "s02-sh01", duration: "5s", gpuTime: "75.250s" }] },
      ],
    };
    expect(summarize(graph).gpuSeconds).toBe(135.25);
    expect(summarize(undefined).gpuSeconds).toBe(0);
  });
});
