// OpenAI's tools: list_models takes no input, asks GET /models, and keeps only each model's declared fields.
import { describe, expect, it } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput } from "@/lib/tools/tool";

// As OpenAI's API reference shows the answer, plus fields a future answer might add.
const answer = {
  object: "list",
  data: [
    { id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system", permission: [{ allow_sampling: true }] },
    { id: "ft:gpt-4o-mini:acme::abc123", object: "model", created: 1730000000, owned_by: "org-acme" },
  ],
};

describe("OpenAI tools", () => {
  it("list_models takes no input, refuses any field, and asks GET /models", () => {
    const list = findToolDefinition("openai.list_models")!;
    expect(list).toMatchObject({ provider: "openai", write: false, anyOfScopes: ["read", "write"] });
    expect(list.input.safeParse({ limit: 5 }).success).toBe(false);
    expect(list.request(list.input.parse({}) as never)).toEqual({ method: "GET", path: "/models" });
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const list = findToolDefinition("openai.list_models")!;
    const out = projectOutput(list, answer, 200, {}) as { models: object[] };
    expect(out).toEqual({
      models: [
        { id: "gpt-4o-mini", owned_by: "system", created: 1721172741 },
        { id: "ft:gpt-4o-mini:acme::abc123", owned_by: "org-acme", created: 1730000000 },
      ],
    });
    expect(Object.keys(out)).toEqual(["models"]);
  });

  it("refuse an answer that is not the declared shape", () => {
    const list = findToolDefinition("openai.list_models")!;
    expect(() => projectOutput(list, { error: { message: "Incorrect API key provided", type: "invalid_request_error" } }, 401, {})).toThrow();
    expect(() => projectOutput(list, null, 200, {})).toThrow();
    expect(() => projectOutput(list, { object: "list", data: [{ id: "x", object: "model" }] }, 200, {})).toThrow();
  });
});
