import "server-only";

// GitHub's tools: what each sends to the REST API and the fields of the answer that leave the vault.
import { z } from "zod";

import { define, limit, pathSegment, type ToolDefinition } from "@/lib/tools/tool";

import { meta } from "./meta";

const slug = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be a GitHub name like octo-org or hello-world");

const githubRepo = z
  .object({ id: z.number(), full_name: z.string(), private: z.boolean(), html_url: z.string(), description: z.string().nullable(), updated_at: z.string() })
  .strip();
const githubIssue = z
  .object({
    number: z.number(),
    title: z.string(),
    state: z.string(),
    html_url: z.string(),
    user: z.object({ login: z.string() }).strip().nullable().optional(),
  })
  .strip();

export const tools: readonly ToolDefinition[] = [
  define(meta, "github.list_repos", {
    input: z.object({ perPage: limit(100, 30) }).strict(),
    request: (i) => ({ method: "GET", path: "/user/repos", query: { per_page: String(i.perPage), sort: "updated" } }),
    output: z.object({ repositories: z.array(githubRepo) }).strip(),
    shape: (upstream) => ({ repositories: upstream }),
  }),
  define(meta, "github.search_issues", {
    input: z.object({ query: z.string().trim().min(1).max(256), perPage: limit(100, 20) }).strict(),
    request: (i) => ({ method: "GET", path: "/search/issues", query: { q: i.query, per_page: String(i.perPage) } }),
    output: z.object({ total_count: z.number(), items: z.array(githubIssue) }).strip(),
  }),
  define(meta, "github.create_issue", {
    input: z.object({ owner: slug, repo: slug, title: z.string().trim().min(1).max(256), body: z.string().max(65_536).optional() }).strict(),
    request: (i) => ({ method: "POST", path: `/repos/${pathSegment(i.owner)}/${pathSegment(i.repo)}/issues`, body: { title: i.title, body: i.body } }),
    output: z.object({ issue: githubIssue }).strip(),
    shape: (upstream) => ({ issue: upstream }),
  }),
];
