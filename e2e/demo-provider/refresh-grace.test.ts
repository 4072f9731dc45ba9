// The grace rule on its own: a rotated refresh token is forgiven only while its successor is unused
// and within the grace counted from the first rotation; lost answers in a row do not extend it.
import { describe, expect, it } from "vitest";
import { RefreshGrace } from "./refresh-grace.js";

describe("refresh-token grace", () => {
  it("forgives within the grace only, counted from the first rotation", () => {
    const grace = new RefreshGrace(60);
    const t0 = 1_000_000;
    expect(grace.forgives("r0", t0)).toBe(false);
    expect(grace.granted("r0", { refresh: "r1", access: "a1" }, t0)).toBeUndefined();
    expect(grace.forgives("r0", t0 + 60_000)).toBe(true);
    expect(grace.forgives("r0", t0 + 60_001)).toBe(false);
    // Answered again at t0 + 50 s: the lost successor is handed back to be dropped, the grace still ends at t0 + 60 s.
    expect(grace.granted("r0", { refresh: "r2", access: "a2" }, t0 + 50_000)).toEqual({ refresh: "r1", access: "a1" });
    expect(grace.forgives("r0", t0 + 60_000)).toBe(true);
    expect(grace.forgives("r0", t0 + 60_001)).toBe(false);
    expect(grace.grantsOf("r0")).toBe(2);
    expect(grace.replays).toBe(1);
  });

  it("ends when the new access or refresh token is presented, but not for a dropped one", () => {
    for (const first of ["a1", "r1"]) {
      const grace = new RefreshGrace(60);
      grace.granted("r0", { refresh: "r1", access: "a1" }, 0);
      grace.used("unrelated");
      expect(grace.forgives("r0", 1)).toBe(true);
      grace.used(first);
      expect(grace.forgives("r0", 1)).toBe(false);
    }
    const grace = new RefreshGrace(60);
    grace.granted("r0", { refresh: "r1", access: "a1" }, 0);
    grace.granted("r0", { refresh: "r2", access: "a2" }, 1);
    grace.used("a1");
    expect(grace.forgives("r0", 2)).toBe(true);
    grace.used("a2");
    expect(grace.forgives("r0", 2)).toBe(false);
  });

  it("forgives nothing with no grace, and nothing for a refresh that did not rotate", () => {
    const strict = new RefreshGrace(0);
    strict.granted("r0", { refresh: "r1", access: "a1" }, 0);
    expect(strict.forgives("r0", 1)).toBe(false);
    const grace = new RefreshGrace(60);
    grace.granted("kept", { access: "a1" }, 0);
    expect(grace.forgives("kept", 1)).toBe(false);
    expect(grace.grantsOf("kept")).toBe(1);
  });
});
