// The one place a connection's status is decided, and its reconnect-by date and warnings.
import { describe, expect, it } from "vitest";

import { nextStatus, reconnectByFrom, reconnectWarning } from "./lifecycle";

const DAY = 86_400_000;

describe("connection status", () => {
  it("follows a refresh: refreshing while the lease is held, then active, degraded or needs_reconnect", () => {
    expect(nextStatus("active", { kind: "refresh_started" })).toBe("refreshing");
    expect(nextStatus("degraded", { kind: "refresh_started" })).toBe("refreshing");
    expect(nextStatus("refreshing", { kind: "refreshed" })).toBe("active");
    expect(nextStatus("refreshing", { kind: "refresh_failed", final: false })).toBe("degraded");
    expect(nextStatus("refreshing", { kind: "refresh_failed", final: true })).toBe("needs_reconnect");
    expect(nextStatus("refreshing", { kind: "refresh_abandoned", failureCount: 0 })).toBe("active");
    expect(nextStatus("refreshing", { kind: "refresh_abandoned", failureCount: 2 })).toBe("degraded");
    expect(nextStatus("degraded", { kind: "refresh_abandoned", failureCount: 2 })).toBe("degraded");
    expect(nextStatus("active", { kind: "lifetime_ended" })).toBe("needs_reconnect");
  });

  it("only connecting again brings back a connection that needs it or was disconnected", () => {
    for (const from of ["needs_reconnect", "revoked"] as const) {
      for (const event of [{ kind: "refresh_started" }, { kind: "refreshed" }, { kind: "refresh_failed", final: false }] as const) {
        expect(nextStatus(from, event)).toBe(from);
      }
      expect(nextStatus(from, { kind: "connected" })).toBe("active");
    }
    expect(nextStatus("active", { kind: "disconnected" })).toBe("revoked");
  });
});

describe("reconnect by", () => {
  const now = new Date("2026-12-03T12:00:00Z");
  it("takes the provider's refresh_token_expires_in first, then the catalogue's lifetime, else none", () => {
    expect(reconnectByFrom({ refresh_token_expires_in: 3600 }, 90, now)).toEqual(new Date(now.getTime() + 3600_000));
    expect(reconnectByFrom({ refresh_token_expires_in: "7200" }, undefined, now)).toEqual(new Date(now.getTime() + 7200_000));
    expect(reconnectByFrom({}, 90, now)).toEqual(new Date(now.getTime() + 90 * DAY));
    expect(reconnectByFrom({ refresh_token_expires_in: 0 }, undefined, now)).toBeNull();
    expect(reconnectByFrom({ refresh_token_expires_in: "soon" }, undefined, now)).toBeNull();
  });

  it("warns 7 days and 1 day before, and after", () => {
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(reconnectWarning(null, now)).toBeNull();
    expect(reconnectWarning(at(8 * DAY), now)).toBeNull();
    expect(reconnectWarning(at(7 * DAY), now)).toMatchObject({ level: "soon", daysLeft: 7 });
    expect(reconnectWarning(at(2 * DAY), now)).toMatchObject({ level: "soon", daysLeft: 2 });
    expect(reconnectWarning(at(DAY), now)).toMatchObject({ level: "urgent", daysLeft: 1 });
    expect(reconnectWarning(at(60_000), now)).toMatchObject({ level: "urgent", daysLeft: 1 });
    expect(reconnectWarning(at(-1), now)).toMatchObject({ level: "ended", daysLeft: 0 });
  });
});
