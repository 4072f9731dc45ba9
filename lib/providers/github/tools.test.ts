// GitHub's tools: owner and repository names cannot steer the path, outputs keep only declared fields.
import { describe, expect, it } from "vitest";

import { findToolDefinition } from "@/lib/providers";
import { projectOutput } from "@/lib/tools/tool";

describe("GitHub tools", () => {
  it("refuse unknown input fields and bad values", () => {
    const issue = findToolDefinition("github.create_issue")!;
    expect(issue.input.safeParse({ owner: "../evil", repo: "x", title: "t" }).success).toBe(false);
    expect(issue.input.safeParse({ owner: "octo", repo: "x", title: "t", labels: ["bug"] }).success).toBe(false);
  });

  it("create an issue under /repos/{owner}/{repo}/issues", () => {
    const issue = findToolDefinition("github.create_issue")!;
    const input = issue.input.parse({ owner: "octo-org", repo: "hello.world", title: " Bug " });
    expect(issue.request(input as never)).toEqual({ method: "POST", path: "/repos/octo-org/hello.world/issues", body: { title: "Bug", body: undefined } });
  });

  it("keep only declared output fields, whatever the provider adds", () => {
    const repos = findToolDefinition("github.list_repos")!;
    const r = projectOutput(
      repos,
      [{ id: 1, full_name: "o/r", private: true, html_url: "u", description: null, updated_at: "d", permissions: { admin: true } }],
      200,
      {},
    ) as { repositories: object[] };
    expect(Object.keys(r.repositories[0]!)).toEqual(["id", "full_name", "private", "html_url", "description", "updated_at"]);
  });

  it("refuse an answer that is not the declared shape", () => {
    const search = findToolDefinition("github.search_issues")!;
    expect(() => projectOutput(search, { message: "Bad credentials" }, 401, {})).toThrow();
  });
});
