// MCP tool names: every built-in tool has one a stock MCP client accepts, no two tools share one, and
// either form leads back to the catalogue name; a name that fits no tool, or several, is refused.
import { describe, expect, it } from "vitest";

import { TOOLS } from "@/lib/providers/meta";

import { accountTag, MCP_TOOL_NAME, mcpToolName, mcpToolNameOn, restToolName } from "./tool-names";

describe("MCP tool names", () => {
  it("name demo-tasks.list_tasks demo_tasks__list_tasks", () => {
    expect(mcpToolName("demo-tasks.list_tasks")).toBe("demo_tasks__list_tasks");
    expect(mcpToolName("github.search_issues")).toBe("github__search_issues");
  });

  it("match ^[a-zA-Z0-9_-]{1,64}$ and are unique for every built-in tool", () => {
    const names = TOOLS.map((t) => mcpToolName(t.name));
    for (const [i, name] of names.entries()) expect(name, TOOLS[i]!.name).toMatch(MCP_TOOL_NAME);
    expect(new Set(names).size).toBe(TOOLS.length);
  });

  it("still match the pattern with the longest account part (12 characters) of a second connection to the provider", () => {
    for (const t of TOOLS) expect(mcpToolNameOn(t.name, "abcdefghijkl"), t.name).toMatch(MCP_TOOL_NAME);
    expect(accountTag("Alice.Smith+work@example.com")).toBe("alice_smith");
    expect(accountTag("--@x")).toBe("");
  });

  it("round-trip: the MCP name and the dotted name both resolve to the catalogue name", () => {
    for (const t of TOOLS) {
      expect(restToolName(mcpToolName(t.name))).toEqual({ ok: true, name: t.name });
      expect(restToolName(t.name)).toEqual({ ok: true, name: t.name });
    }
  });

  it("refuse unknown names, including near misses", () => {
    for (const name of ["", "nowhere.do_anything", "demo_tasks_list_tasks", "demo-tasks__list_tasks", "DEMO_TASKS__LIST_TASKS", "demo_tasks__list_tasks "]) {
      expect(restToolName(name), JSON.stringify(name)).toEqual({ ok: false, reason: "unknown" });
    }
  });

  it("refuse a name that folds onto two tools instead of picking one", () => {
    const tools = [
      { name: "a-b.run", provider: "a-b" },
      { name: "a.b.run", provider: "a.b" },
    ];
    expect(restToolName("a_b__run", tools)).toEqual({ ok: false, reason: "ambiguous", candidates: ["a-b.run", "a.b.run"] });
    expect(restToolName("a-b.run", tools)).toEqual({ ok: true, name: "a-b.run" });
  });
});
