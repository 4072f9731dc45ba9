import "server-only";

// Jira's tools: what each sends to the Jira Cloud REST API and the fields of the answer that leave the vault.
import { z } from "zod";

import { define, limit, pathSegment, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

const jiraIssue = z
  .object({
    key: z.string(),
    fields: z
      .object({
        summary: z.string().nullable().optional(),
        status: z.object({ name: z.string() }).strip().nullable().optional(),
        assignee: z.object({ displayName: z.string() }).strip().nullable().optional(),
      })
      .strip(),
  })
  .strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "atlassian.search_issues", {
    input: z.object({ jql: z.string().trim().min(1).max(2000), maxResults: limit(100, 20) }).strict(),
    request: (i) => ({
      method: "GET",
      path: "/rest/api/3/search/jql",
      query: { jql: i.jql, maxResults: String(i.maxResults), fields: "summary,status,assignee" },
    }),
    output: z.object({ issues: z.array(jiraIssue) }).strip(),
  }),
  define(meta, "atlassian.get_issue", {
    input: z
      .object({
        key: z
          .string()
          .trim()
          .regex(/^[A-Z][A-Z0-9_]+-\d+$/, "must be an issue key like PROJ-123"),
      })
      .strict(),
    request: (i) => ({ method: "GET", path: `/rest/api/3/issue/${pathSegment(i.key)}`, query: { fields: "summary,status,assignee" } }),
    output: jiraIssue,
  }),
];
