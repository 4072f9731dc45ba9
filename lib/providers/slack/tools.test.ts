// Slack's tools: the message and status calls the Web API expects, and only declared fields back.
import { afterEach, describe, expect, it, vi } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput } from "@/lib/tools/tool";

afterEach(() => vi.useRealTimers());

describe("Slack tools", () => {
  it("post a message to a channel and refuse an empty one", () => {
    const post = findToolDefinition("slack.post_message")!;
    expect(post.input.safeParse({ channel: "C1", text: "" }).success).toBe(false);
    expect(post.request({ channel: "C1", text: "hi" } as never)).toEqual({ method: "POST", path: "/chat.postMessage", body: { channel: "C1", text: "hi" } });
  });

  it("set a status that expires after the minutes given, or never", () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const status = findToolDefinition("slack.set_status")!;
    const profile = (input: object) => (status.request(status.input.parse(input) as never).body as { profile: Record<string, unknown> }).profile;
    expect(profile({ text: "Lunch", emoji: ":taco:", expiresInMinutes: 30 })).toEqual({
      status_text: "Lunch",
      status_emoji: ":taco:",
      status_expiration: Date.parse("2026-01-01T00:30:00Z") / 1000,
    });
    expect(profile({ text: "" })).toEqual({ status_text: "", status_emoji: "", status_expiration: 0 });
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const post = findToolDefinition("slack.post_message")!;
    expect(projectOutput(post, { ok: true, channel: "C1", ts: "1.2", message: { text: "hi", bot_id: "B1" } }, 200, {})).toEqual({
      ok: true,
      channel: "C1",
      ts: "1.2",
    });
  });
});
