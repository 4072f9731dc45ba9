// MCP tool metadata: every tool publishes an object output schema that compiles in the validators MCP
// clients use (the SDK's draft-07 Ajv, and 2020-12), and what the tool returns for a provider's
// example answer validates against it, so a client checking structuredContent accepts it. An output
// that is not an object gets no schema at all.
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";

import { findToolDefinition, TOOL_DEFINITIONS } from "@/lib/providers";
import { projectOutput, type ToolDefinition } from "@/lib/tools/tool";

import { outputSchemaOf, toMcpTool } from "./tool-metadata";

const task = { id: "t1", title: "Buy milk", done: false, createdAt: "2026-01-01T00:00:00Z", owner: "alice" };
const repo = {
  id: 1,
  full_name: "octo/hello",
  private: false,
  html_url: "https://github.com/octo/hello",
  description: null,
  updated_at: "2026-01-01",
  fork: false,
};
const issue = { number: 7, title: "Bug", state: "open", html_url: "https://github.com/octo/hello/issues/7", user: { login: "octo", id: 1 }, labels: [] };
const jira = { id: "10001", key: "PROJ-1", fields: { summary: "Fix it", status: { name: "To Do", id: "1" }, assignee: null, priority: { name: "High" } } };

/** A provider's answer for each tool (with fields the tool does not declare), its HTTP status and the tool's input. */
const EXAMPLES: Record<string, { upstream: unknown; status?: number; input?: unknown }> = {
  "demo-tasks.list_tasks": { upstream: { tasks: [task, { ...task, id: "t2", done: true }] } },
  "demo-tasks.create_task": { upstream: task, status: 201, input: { title: "Buy milk" } },
  "demo-tasks.delete_task": { upstream: null, status: 204, input: { id: "t1" } },
  "demo-tasks.whoami": { upstream: { sub: "alice", email: "alice@demo-tasks.test", name: "Alice", tenant: "acme" } },
  "github.list_repos": { upstream: [repo, { ...repo, id: 2, description: "A repo" }] },
  "github.search_issues": { upstream: { total_count: 2, incomplete_results: false, items: [issue, { ...issue, number: 8, user: null }] } },
  "github.create_issue": { upstream: issue, status: 201 },
  "atlassian.search_issues": { upstream: { issues: [jira, { key: "PROJ-2", fields: {} }], nextPageToken: "x" } },
  "atlassian.get_issue": { upstream: jira },
  "google.list_events": {
    upstream: {
      kind: "calendar#events",
      items: [
        { id: "e1", summary: "Standup", htmlLink: "https://calendar.google.com/e1", start: { dateTime: "2026-01-01T09:00:00Z" }, end: { date: "2026-01-01" } },
      ],
    },
  },
  "slack.post_message": { upstream: { ok: true, channel: "C1", ts: "1700000000.0001", message: { text: "hi" } } },
  "slack.set_status": { upstream: { ok: true, profile: { status_text: "Away" } } },
  "openai.list_models": { upstream: { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system" }] } },
};

const validators = [new Ajv({ strict: false, allErrors: true }), new Ajv2020({ strict: false, allErrors: true })];

describe("MCP output schemas", () => {
  it("cover every tool with an example here", () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(TOOL_DEFINITIONS.map((t) => t.name).sort());
  });

  it.each(TOOL_DEFINITIONS.map((t) => [t.name, t] as const))("%s: an object schema that its projected output validates against", (name, tool) => {
    const schema = outputSchemaOf(tool);
    expect(schema).toMatchObject({ type: "object" });
    expect(schema).not.toHaveProperty("$schema");
    expect(toMcpTool({ ...tool, inputSchema: { type: "object" } }).outputSchema).toEqual(schema);
    const example = EXAMPLES[name]!;
    const output = projectOutput(tool, example.upstream, example.status ?? 200, example.input ?? {});
    for (const ajv of validators) {
      const validate = ajv.compile(schema!);
      expect(validate(output), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("refuse what the tool would never return (the schemas are not vacuous)", () => {
    const list = outputSchemaOf(findToolDefinition("demo-tasks.list_tasks")!)!;
    for (const ajv of validators) {
      const validate = ajv.compile(list);
      expect(validate({ tasks: [{ id: 1 }] })).toBe(false);
      expect(validate({ tasks: [], token: "leak" })).toBe(false);
    }
  });

  it("are left out for an output that is not an object", () => {
    const listing = { ...findToolDefinition("demo-tasks.list_tasks")!, output: z.array(z.string()) } as ToolDefinition;
    expect(outputSchemaOf(listing)).toBeUndefined();
  });
});
