import "server-only";

// Demo Tasks' tools: what each sends to the tasks API and the fields of the answer that leave the vault.
import { z } from "zod";

import { define, pathSegment, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

const task = z.object({ id: z.string(), title: z.string(), done: z.boolean(), createdAt: z.string() }).strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "demo-tasks.list_tasks", {
    input: z.object({}).strict(),
    request: () => ({ method: "GET", path: "/tasks" }),
    output: z.object({ tasks: z.array(task) }).strip(),
  }),
  define(meta, "demo-tasks.create_task", {
    input: z.object({ title: z.string().trim().min(1).max(200) }).strict(),
    request: (i) => ({ method: "POST", path: "/tasks", body: { title: i.title } }),
    output: z.object({ task }).strip(),
    shape: (upstream) => ({ task: upstream }),
  }),
  define(meta, "demo-tasks.delete_task", {
    input: z.object({ id: z.string().trim().min(1).max(100) }).strict(),
    request: (i) => ({ method: "DELETE", path: `/tasks/${pathSegment(i.id)}` }),
    output: z.object({ deleted: z.boolean(), id: z.string() }).strip(),
    shape: (_upstream, status, i) => ({ deleted: status === 204 || status === 200, id: i.id }),
  }),
  define(meta, "demo-tasks.whoami", {
    input: z.object({}).strict(),
    request: () => ({ method: "GET", path: "/me" }),
    output: z.object({ sub: z.string(), email: z.string().optional(), name: z.string().optional() }).strip(),
  }),
];
