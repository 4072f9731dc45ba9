// Tool names on the MCP surface. MCP clients accept tool names matching ^[a-zA-Z0-9_-]{1,64}$ only
// (several refuse a dot), so the MCP server names each catalogue tool `<provider>__<tool>` with `-`
// and `.` folded to `_`: `demo-tasks.list_tasks` is `demo_tasks__list_tasks` there. The catalogue's
// dotted name stays the tool's identity (delegations, ceilings, audit records, receipts); the REST
// routes and the PDP take either form and resolve it back here. Pure: no server-only, no I/O.
import { TOOLS } from "@/lib/providers/meta";
import type { ToolMeta } from "@/lib/tools/tool";

/** What MCP clients accept as a tool name. */
export const MCP_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** `<provider>__<tool>`, each part with every character outside [A-Za-z0-9_] (`-`, `.`) folded to `_`. */
export function mcpToolName(restName: string): string {
  return mcpNameOf(catalogueTool(restName));
}

export type ResolvedToolName = { ok: true; name: string } | { ok: false; reason: "unknown" } | { ok: false; reason: "ambiguous"; candidates: string[] };

/** The catalogue name behind either form (dotted or MCP); refuses a name no tool has, or one that folds onto several. */
export function restToolName(anyName: string, tools: readonly Pick<ToolMeta, "name" | "provider">[] = TOOLS): ResolvedToolName {
  const index = tools === TOOLS ? CATALOGUE_INDEX : indexOf(tools);
  if (index.names.has(anyName)) return { ok: true, name: anyName };
  const candidates = index.byMcpName.get(anyName) ?? [];
  if (candidates.length === 1) return { ok: true, name: candidates[0]! };
  if (candidates.length === 0) return { ok: false, reason: "unknown" };
  return { ok: false, reason: "ambiguous", candidates: [...candidates] };
}

type Index = { names: ReadonlySet<string>; byMcpName: ReadonlyMap<string, readonly string[]> };

function indexOf(tools: readonly Pick<ToolMeta, "name" | "provider">[]): Index {
  const byMcpName = new Map<string, string[]>();
  for (const t of tools) {
    const key = mcpNameOf(t);
    byMcpName.set(key, [...(byMcpName.get(key) ?? []), t.name]);
  }
  return { names: new Set(tools.map((t) => t.name)), byMcpName };
}

const CATALOGUE_INDEX = indexOf(TOOLS);

/**
 * The MCP name of a tool on one of several connections to the same provider (a work and a personal
 * account): `<provider>_<account>__<tool>`, so each connection's tools keep a name of their own.
 * `account` is already a tag (accountTag); answers null when the name would not fit the pattern.
 */
export function mcpToolNameOn(restName: string, account: string): string | null {
  const name = mcpNameOf(catalogueTool(restName), account);
  return MCP_TOOL_NAME.test(name) ? name : null;
}

/** A connection's label ("carol@example.com") as a name part: its local part, folded and lowercased, at most 12 characters. */
export function accountTag(label: string): string {
  return fold(label.split("@")[0]!.toLowerCase()).replace(/_+/g, "_").slice(0, 12).replace(/^_|_$/g, "");
}

/** The catalogue tool behind a dotted name, or its provider read from the name itself. */
function catalogueTool(restName: string): Pick<ToolMeta, "name" | "provider"> {
  return { name: restName, provider: TOOLS.find((t) => t.name === restName)?.provider ?? restName.split(".")[0]! };
}

/** `<provider>__<tool>`, or `<provider>_<account>__<tool>` with an account part. */
function mcpNameOf(tool: Pick<ToolMeta, "name" | "provider">, account?: string): string {
  const operation = tool.name.startsWith(`${tool.provider}.`) ? tool.name.slice(tool.provider.length + 1) : tool.name;
  return `${fold(tool.provider)}${account ? `_${account}` : ""}__${fold(operation)}`;
}

function fold(part: string): string {
  return part.replace(/[^A-Za-z0-9_]/g, "_");
}
