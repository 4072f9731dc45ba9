// Demo Tasks' tools: inputs are strict, path inputs stay one segment, outputs keep only declared fields.
import { describe, expect, it } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput, toolInputJsonSchema } from "@/lib/tools/tool";

describe("Demo Tasks tools", () => {
  it("refuse unknown input fields and bad values", () => {
    const create = findToolDefinition("demo-tasks.create_task")!;
    expect(create.input.safeParse({ title: "x", extra: 1 }).success).toBe(false);
    expect(create.input.safeParse({ title: "" }).success).toBe(false);
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
  });

  it("say whether a delete happened from the status alone", () => {
    const del = findToolDefinition("demo-tasks.delete_task")!;
    expect(projectOutput(del, null, 204, { id: "7" })).toEqual({ deleted: true, id: "7" });
    expect(projectOutput(del, { error: "not_found" }, 404, { id: "7" })).toEqual({ deleted: false, id: "7" });
  });

  it("publish a JSON Schema for each input", () => {
    expect(toolInputJsonSchema(findToolDefinition("demo-tasks.create_task")!)).toMatchObject({ required: ["title"], additionalProperties: false });
  });
});
