// Google's tools: upcoming events from now on, a bounded page, only declared fields of each event.
import { describe, expect, it } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput } from "@/lib/tools/tool";

describe("Google tools", () => {
  it("list upcoming events of the primary calendar from now on", () => {
    const list = findToolDefinition("google.list_events")!;
    const before = Date.now();
    const request = list.request(list.input.parse({}) as never);
    expect(request).toMatchObject({
      method: "GET",
      path: "/calendar/v3/calendars/primary/events",
      query: { singleEvents: "true", orderBy: "startTime", maxResults: "10" },
    });
    expect(Date.parse(request.query!.timeMin!)).toBeGreaterThanOrEqual(before - 1000);
    expect(list.input.safeParse({ maxResults: 51 }).success).toBe(false);
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const list = findToolDefinition("google.list_events")!;
    const out = projectOutput(
      list,
      { items: [{ id: "e1", summary: "Stand-up", attendees: [{ email: "a@x" }], start: { dateTime: "t", timeZone: "UTC" } }], etag: "x" },
      200,
      {},
    );
    expect(out).toEqual({ items: [{ id: "e1", summary: "Stand-up", start: { dateTime: "t" } }] });
  });
});
