// Every catalogued tool has a definition; inputs are strict; outputs keep only declared fields.
import { describe, expect, it } from "vitest";
import { TOOLS } from "./catalogue";
import { findToolDefinition, projectOutput, TOOL_DEFINITIONS, toolInputJsonSchema } from "./definitions";

describe("tool definitions", () => {
  it("define exactly the catalogue's tools", () => {
    expect(TOOL_DEFINITIONS.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  it("refuse unknown input fields and bad values", () => {
    const create = findToolDefinition("demo-tasks.create_task")!;
    expect(create.input.safeParse({ title: "x", extra: 1 }).success).toBe(false);
    expect(create.input.safeParse({ title: "" }).success).toBe(false);
    const issue = findToolDefinition("github.create_issue")!;
    expect(issue.input.safeParse({ owner: "../evil", repo: "x", title: "t" }).success).toBe(false);
  });

  it("encode path inputs as one segment", () => {
    const del = findToolDefinition("demo-tasks.delete_task")!;
    expect(del.request({ id: "a/../b" } as never).path).toBe("/tasks/a%2F..%2Fb");
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const list = findToolDefinition("demo-tasks.list_tasks")!;
    const out = projectOutput(
      list,
      { tasks: [{ id: "1", title: "t", done: false, createdAt: "2026-01-01", owner: "alice", secret: "x" }], debug: { token: "leak" } },
      200,
      {},
    );
    expect(out).toEqual({ tasks: [{ id: "1", title: "t", done: false, createdAt: "2026-01-01" }] });
    const repos = findToolDefinition("github.list_repos")!;
    const r = projectOutput(
      repos,
      [{ id: 1, full_name: "o/r", private: true, html_url: "u", description: null, updated_at: "d", permissions: { admin: true } }],
      200,
      {},
    ) as { repositories: object[] };
    expect(Object.keys(r.repositories[0]!)).toEqual(["id", "full_name", "private", "html_url", "description", "updated_at"]);
  });

  it("publish a JSON Schema for each input", () => {
    for (const t of TOOL_DEFINITIONS) expect(toolInputJsonSchema(t)).toMatchObject({ type: "object" });
    expect(toolInputJsonSchema(findToolDefinition("demo-tasks.create_task")!)).toMatchObject({ required: ["title"], additionalProperties: false });
  });
});
