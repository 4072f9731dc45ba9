import "server-only";

// Google's tools: what each sends to the Calendar API and the fields of the answer that leave the vault.
import { z } from "zod";

import { define, limit, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

const calendarEvent = z
  .object({
    id: z.string(),
    summary: z.string().optional(),
    htmlLink: z.string().optional(),
    start: z.object({ dateTime: z.string().optional(), date: z.string().optional() }).strip().optional(),
    end: z.object({ dateTime: z.string().optional(), date: z.string().optional() }).strip().optional(),
  })
  .strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "google.list_events", {
    input: z.object({ maxResults: limit(50, 10) }).strict(),
    request: (i) => ({
      method: "GET",
      path: "/calendar/v3/calendars/primary/events",
      query: { timeMin: new Date().toISOString(), singleEvents: "true", orderBy: "startTime", maxResults: String(i.maxResults) },
    }),
    output: z.object({ items: z.array(calendarEvent) }).strip(),
  }),
];
