// The request hash an approval is bound to: the same request hashes the same however its keys are
// ordered, and any change in tool, input, method, path, query or body gives another hash. The body
// summary a person reads is the body itself, cut with its length said when long.
import { describe, expect, it } from "vitest";

import { proxyRequest, summarizeBody, toolRequest } from "./request";

const sent = { method: "POST" as const, path: "/tasks" };

describe("toolRequest", () => {
  it("hashes the tool and its input canonically", () => {
    const a = toolRequest("demo-tasks.create_task", { title: "x", due: { day: 1, month: 2 } }, sent);
    const b = toolRequest("demo-tasks.create_task", { due: { month: 2, day: 1 }, title: "x" }, sent);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(toolRequest("demo-tasks.create_task", { title: "y", due: { day: 1, month: 2 } }, sent).hash).not.toBe(a.hash);
    expect(toolRequest("demo-tasks.delete_task", { title: "x", due: { day: 1, month: 2 } }, sent).hash).not.toBe(a.hash);
    expect(a).toMatchObject({ kind: "tool", tool: "demo-tasks.create_task", input: { title: "x" }, method: "POST", path: "/tasks", query: null });
  });
});

describe("proxyRequest", () => {
  const base = { method: "POST" as const, path: "/tasks", query: { a: "1", b: ["2", "3"] }, body: { title: "x" } };

  it("hashes method, path, query and body, and nothing else decides it", () => {
    const h = proxyRequest(base).hash;
    expect(proxyRequest({ ...base, query: { b: ["2", "3"], a: "1" } }).hash).toBe(h);
    for (const changed of [
      { ...base, method: "PUT" as const },
      { ...base, path: "/tasks/1" },
      { ...base, query: { a: "1", b: ["3", "2"] } },
      { ...base, query: undefined },
      { ...base, body: { title: "x " } },
      { ...base, body: '{"title":"x"}' },
      { ...base, body: undefined },
    ]) {
      expect(proxyRequest(changed).hash).not.toBe(h);
    }
  });

  it("keeps the query and a body summary for the person", () => {
    expect(proxyRequest(base)).toMatchObject({ kind: "proxy", tool: null, query: base.query, bodySummary: '{"title":"x"}' });
    expect(proxyRequest({ method: "GET", path: "/tasks", query: {} })).toMatchObject({ query: null, bodySummary: null });
  });
});

describe("summarizeBody", () => {
  it("shows text as it is and cuts a long body, saying how long it was", () => {
    expect(summarizeBody("hello")).toBe("hello");
    expect(summarizeBody(null)).toBeNull();
    const long = summarizeBody("x".repeat(5000))!;
    expect(long.startsWith("x".repeat(2000))).toBe(true);
    expect(long).toContain("5000 characters in all");
    expect(long.length).toBeLessThan(2100);
  });
});
