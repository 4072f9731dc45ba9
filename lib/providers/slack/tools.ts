import "server-only";

// Slack's tools: what each sends to the Web API and the fields of the answer that leave the vault.
import { z } from "zod";

import { define, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

const slackResult = z.object({ ok: z.boolean(), error: z.string().optional(), channel: z.string().optional(), ts: z.string().optional() }).strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "slack.post_message", {
    input: z.object({ channel: z.string().trim().min(1).max(100), text: z.string().min(1).max(4000) }).strict(),
    request: (i) => ({ method: "POST", path: "/chat.postMessage", body: { channel: i.channel, text: i.text } }),
    output: slackResult,
  }),
  define(meta, "slack.set_status", {
    input: z
      .object({ text: z.string().max(100), emoji: z.string().max(100).optional(), expiresInMinutes: z.number().int().min(0).max(525_600).optional() })
      .strict(),
    request: (i) => ({
      method: "POST",
      path: "/users.profile.set",
      body: {
        profile: {
          status_text: i.text,
          status_emoji: i.emoji ?? "",
          status_expiration: i.expiresInMinutes ? Math.floor(Date.now() / 1000) + i.expiresInMinutes * 60 : 0,
        },
      },
    }),
    output: slackResult,
  }),
];
