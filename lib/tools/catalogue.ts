// The tool catalogue: named operations per provider that agents may be allowed to call. This file is
// the metadata only (pure, client-safe) so the ceiling and delegation forms, the PDP and the token
// endpoint agree on names and on which OAuth scopes each tool needs. Implementations live elsewhere.

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const READ_METHODS: ReadonlySet<HttpMethod> = new Set(["GET", "HEAD"]);

export type ToolMeta = {
  /** `provider.operation`; also the MCP tool name and the URL segment of POST /api/v1/tools/{name}. */
  name: string;
  provider: string;
  title: string;
  description: string;
  /** Whether the tool changes anything at the provider (read-only delegations refuse these). */
  write: boolean;
  /** The tool is allowed when the delegation carries at least one of these scopes (and the connection still has it). */
  anyOfScopes: readonly string[];
};

const GCAL = "https://www.googleapis.com/auth";

export const TOOLS: readonly ToolMeta[] = [
  {
    name: "demo-tasks.list_tasks",
    provider: "demo-tasks",
    title: "List tasks",
    description: "List the person's tasks.",
    write: false,
    anyOfScopes: ["tasks.read", "tasks.write"],
  },
  {
    name: "demo-tasks.create_task",
    provider: "demo-tasks",
    title: "Create a task",
    description: "Create a task with a title.",
    write: true,
    anyOfScopes: ["tasks.write"],
  },
  {
    name: "demo-tasks.delete_task",
    provider: "demo-tasks",
    title: "Delete a task",
    description: "Delete one task by id.",
    write: true,
    anyOfScopes: ["tasks.write"],
  },
  {
    name: "demo-tasks.whoami",
    provider: "demo-tasks",
    title: "Who am I",
    description: "The account the connection belongs to.",
    write: false,
    anyOfScopes: ["tasks.read", "tasks.write"],
  },
  {
    name: "github.list_repos",
    provider: "github",
    title: "List my repositories",
    description: "Repositories the person can access.",
    write: false,
    anyOfScopes: ["repo", "public_repo", "read:user"],
  },
  {
    name: "github.search_issues",
    provider: "github",
    title: "Search issues",
    description: "Search issues and pull requests.",
    write: false,
    anyOfScopes: ["repo", "public_repo", "read:user"],
  },
  {
    name: "github.create_issue",
    provider: "github",
    title: "Create an issue",
    description: "Open an issue in a repository.",
    write: true,
    anyOfScopes: ["repo", "public_repo"],
  },
  {
    name: "atlassian.search_issues",
    provider: "atlassian",
    title: "Search Jira issues",
    description: "Search issues with JQL.",
    write: false,
    anyOfScopes: ["read:jira-work"],
  },
  {
    name: "atlassian.get_issue",
    provider: "atlassian",
    title: "Get a Jira issue",
    description: "One issue by key.",
    write: false,
    anyOfScopes: ["read:jira-work"],
  },
  {
    name: "google.list_events",
    provider: "google",
    title: "List upcoming events",
    description: "Upcoming events in the primary calendar.",
    write: false,
    anyOfScopes: [`${GCAL}/calendar.readonly`, `${GCAL}/calendar.events`],
  },
  {
    name: "slack.post_message",
    provider: "slack",
    title: "Post a message",
    description: "Post a message to a channel as the person.",
    write: true,
    anyOfScopes: ["chat:write"],
  },
  {
    name: "slack.set_status",
    provider: "slack",
    title: "Set status",
    description: "Set the person's Slack status.",
    write: true,
    anyOfScopes: ["users.profile:write"],
  },
];

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

export function findTool(name: string): ToolMeta | undefined {
  return BY_NAME.get(name);
}

export function toolsForProvider(provider: string): ToolMeta[] {
  return TOOLS.filter((t) => t.provider === provider);
}

/** Scope rules for raw proxy calls: which scopes a method/path needs, per provider. No rule = any delegated scope. */
export type ProxyScopeRule = { methods: readonly HttpMethod[]; pathPattern: string; anyOfScopes: readonly string[] };

export const PROXY_SCOPE_RULES: Readonly<Record<string, readonly ProxyScopeRule[]>> = {
  "demo-tasks": [
    { methods: ["GET", "HEAD"], pathPattern: "/**", anyOfScopes: ["tasks.read", "tasks.write"] },
    { methods: ["POST", "PUT", "PATCH", "DELETE"], pathPattern: "/tasks/**", anyOfScopes: ["tasks.write"] },
  ],
};
