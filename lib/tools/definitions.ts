// What each tool does: its input schema, the one provider request it makes, and the projection of
// the answer. Projections are zod objects that strip, so only declared output fields ever leave the
// vault, whatever else the provider sends. Pure: no credentials here; lib/tools/run.ts executes.
import { z } from "zod";
import { findTool, type HttpMethod, type ToolMeta } from "./catalogue";

export type ToolRequest = { method: HttpMethod; path: string; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> };

export type ToolDefinition = ToolMeta & {
  input: z.ZodType;
  request(input: never): ToolRequest;
  /** Shapes the provider's answer (JSON, or null for an empty body) into the declared output. */
  output: z.ZodType;
  shape?(upstream: unknown, status: number, input: never): unknown;
};

const seg = (s: string) => encodeURIComponent(s);
const slug = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be a GitHub name like octo-org or hello-world");
const limit = (max: number, def: number) => z.number().int().min(1).max(max).default(def);

function define<I extends z.ZodType, O extends z.ZodType>(
  name: string,
  spec: { input: I; request: (input: z.output<I>) => ToolRequest; output: O; shape?: (upstream: unknown, status: number, input: z.output<I>) => unknown },
): ToolDefinition {
  const meta = findTool(name);
  if (!meta) throw new Error(`Tool ${name} is not in lib/tools/catalogue.ts.`);
  return { ...meta, ...spec } as ToolDefinition;
}

const task = z.object({ id: z.string(), title: z.string(), done: z.boolean(), createdAt: z.string() }).strip();

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
const calendarEvent = z
  .object({
    id: z.string(),
    summary: z.string().optional(),
    htmlLink: z.string().optional(),
    start: z.object({ dateTime: z.string().optional(), date: z.string().optional() }).strip().optional(),
    end: z.object({ dateTime: z.string().optional(), date: z.string().optional() }).strip().optional(),
  })
  .strip();
const slackResult = z.object({ ok: z.boolean(), error: z.string().optional(), channel: z.string().optional(), ts: z.string().optional() }).strip();

export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  define("demo-tasks.list_tasks", {
    input: z.object({}).strict(),
    request: () => ({ method: "GET", path: "/tasks" }),
    output: z.object({ tasks: z.array(task) }).strip(),
  }),
  define("demo-tasks.create_task", {
    input: z.object({ title: z.string().trim().min(1).max(200) }).strict(),
    request: (i) => ({ method: "POST", path: "/tasks", body: { title: i.title } }),
    output: z.object({ task }).strip(),
    shape: (upstream) => ({ task: upstream }),
  }),
  define("demo-tasks.delete_task", {
    input: z.object({ id: z.string().trim().min(1).max(100) }).strict(),
    request: (i) => ({ method: "DELETE", path: `/tasks/${seg(i.id)}` }),
    output: z.object({ deleted: z.boolean(), id: z.string() }).strip(),
    shape: (_upstream, status, i) => ({ deleted: status === 204 || status === 200, id: i.id }),
  }),
  define("demo-tasks.whoami", {
    input: z.object({}).strict(),
    request: () => ({ method: "GET", path: "/me" }),
    output: z.object({ sub: z.string(), email: z.string().optional(), name: z.string().optional() }).strip(),
  }),
  define("github.list_repos", {
    input: z.object({ perPage: limit(100, 30) }).strict(),
    request: (i) => ({ method: "GET", path: "/user/repos", query: { per_page: String(i.perPage), sort: "updated" } }),
    output: z.object({ repositories: z.array(githubRepo) }).strip(),
    shape: (upstream) => ({ repositories: upstream }),
  }),
  define("github.search_issues", {
    input: z.object({ query: z.string().trim().min(1).max(256), perPage: limit(100, 20) }).strict(),
    request: (i) => ({ method: "GET", path: "/search/issues", query: { q: i.query, per_page: String(i.perPage) } }),
    output: z.object({ total_count: z.number(), items: z.array(githubIssue) }).strip(),
  }),
  define("github.create_issue", {
    input: z.object({ owner: slug, repo: slug, title: z.string().trim().min(1).max(256), body: z.string().max(65_536).optional() }).strict(),
    request: (i) => ({ method: "POST", path: `/repos/${seg(i.owner)}/${seg(i.repo)}/issues`, body: { title: i.title, body: i.body } }),
    output: z.object({ issue: githubIssue }).strip(),
    shape: (upstream) => ({ issue: upstream }),
  }),
  define("atlassian.search_issues", {
    input: z.object({ jql: z.string().trim().min(1).max(2000), maxResults: limit(100, 20) }).strict(),
    request: (i) => ({
      method: "GET",
      path: "/rest/api/3/search/jql",
      query: { jql: i.jql, maxResults: String(i.maxResults), fields: "summary,status,assignee" },
    }),
    output: z.object({ issues: z.array(jiraIssue) }).strip(),
  }),
  define("atlassian.get_issue", {
    input: z
      .object({
        key: z
          .string()
          .trim()
          .regex(/^[A-Z][A-Z0-9_]+-\d+$/, "must be an issue key like PROJ-123"),
      })
      .strict(),
    request: (i) => ({ method: "GET", path: `/rest/api/3/issue/${seg(i.key)}`, query: { fields: "summary,status,assignee" } }),
    output: jiraIssue,
  }),
  define("google.list_events", {
    input: z.object({ maxResults: limit(50, 10) }).strict(),
    request: (i) => ({
      method: "GET",
      path: "/calendar/v3/calendars/primary/events",
      query: { timeMin: new Date().toISOString(), singleEvents: "true", orderBy: "startTime", maxResults: String(i.maxResults) },
    }),
    output: z.object({ items: z.array(calendarEvent) }).strip(),
  }),
  define("slack.post_message", {
    input: z.object({ channel: z.string().trim().min(1).max(100), text: z.string().min(1).max(4000) }).strict(),
    request: (i) => ({ method: "POST", path: "/chat.postMessage", body: { channel: i.channel, text: i.text } }),
    output: slackResult,
  }),
  define("slack.set_status", {
    input: z
      .object({ text: z.string().max(100), emoji: z.string().max(100).optional(), expiresInMinutes: z.number().int().min(0).max(525_600).optional() })
      .strict(),
    request: (i) => ({
      method: "POST",
      path: "/users.profile.set",
      body: {
        profile: {
          status_text: i.text,
          status_emoji: i.emoji ?? "",
          status_expiration: i.expiresInMinutes ? Math.floor(Date.now() / 1000) + i.expiresInMinutes * 60 : 0,
        },
      },
    }),
    output: slackResult,
  }),
];

const BY_NAME = new Map(TOOL_DEFINITIONS.map((t) => [t.name, t]));

export function findToolDefinition(name: string): ToolDefinition | undefined {
  return BY_NAME.get(name);
}

/** Only the declared fields of the provider's answer; throws when the answer is not the declared shape. */
export function projectOutput(tool: ToolDefinition, upstream: unknown, status: number, input: unknown): unknown {
  const shaped = tool.shape ? tool.shape(upstream, status, input as never) : upstream;
  return tool.output.parse(shaped);
}

/** The JSON Schema agents see in GET /api/v1/tools and MCP's tools/list. */
export function toolInputJsonSchema(tool: ToolDefinition): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.input, { io: "input" }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
