import "server-only";

// OpenAI's tools: what each sends to the API (https://api.openai.com/v1) and the fields of the answer
// that leave the vault. The pasted key is placed by the vault (provider.ts), never by a tool.
import { z } from "zod";

import { define, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

// OpenAI's API reference, Models: GET /models answers { object: "list", data: [{ id, object: "model", created, owned_by }] }.
const model = z.object({ id: z.string(), owned_by: z.string(), created: z.number() }).strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "openai.list_models", {
    input: z.object({}).strict(),
    request: () => ({ method: "GET", path: "/models" }),
    output: z.object({ models: z.array(model) }).strip(),
    shape: (upstream) => ({ models: (upstream as { data?: unknown } | null)?.data }),
  }),
];
