// Jira's tools: an issue key is checked before it becomes a path segment; outputs keep only declared fields.
import { describe, expect, it } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput } from "@/lib/tools/tool";

describe("Jira tools", () => {
  it("accept only issue keys like PROJ-123", () => {
    const get = findToolDefinition("atlassian.get_issue")!;
    expect(get.input.safeParse({ key: "PROJ-123" }).success).toBe(true);
    for (const key of ["proj-1", "PROJ", "../PROJ-1", "PROJ-1/comment", "PROJ-1?x=1"]) expect(get.input.safeParse({ key }).success).toBe(false);
    expect(get.request({ key: "PROJ-123" } as never)).toEqual({
      method: "GET",
      path: "/rest/api/3/issue/PROJ-123",
      query: { fields: "summary,status,assignee" },
    });
  });

  it("search with JQL, asking only for the fields the output declares", () => {
    const search = findToolDefinition("atlassian.search_issues")!;
    const input = search.input.parse({ jql: "assignee = currentUser()" });
    expect(search.request(input as never)).toEqual({
      method: "GET",
      path: "/rest/api/3/search/jql",
      query: { jql: "assignee = currentUser()", maxResults: "20", fields: "summary,status,assignee" },
    });
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const get = findToolDefinition("atlassian.get_issue")!;
    const out = projectOutput(get, { key: "PROJ-1", self: "https://x", fields: { summary: "s", status: { name: "Done", id: "3" }, secret: 1 } }, 200, {});
    expect(out).toEqual({ key: "PROJ-1", fields: { summary: "s", status: { name: "Done" } } });
  });
});
