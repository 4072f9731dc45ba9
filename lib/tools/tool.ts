// What a tool is: a named operation of one provider that agents may be allowed to call. The
// metadata (ToolMeta) is pure and client-safe, so the ceiling and delegation forms, the PDP and the
// token endpoint agree on names and on which OAuth scopes each tool needs. A definition adds the
// strict input, the one provider request and the projection of the answer: projections are zod
// objects that strip, so only declared output fields ever leave the vault, whatever else the
// provider sends. Each provider's tools live in its folder (lib/providers/<key>/); this is the
// machinery they share. No credentials here: lib/orchestration/tools.ts executes.
import { z } from "zod";

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

/** Scope rules for raw proxy calls: which scopes a method/path needs, per provider. No rule = any delegated scope. */
export type ProxyScopeRule = { methods: readonly HttpMethod[]; pathPattern: string; anyOfScopes: readonly string[] };

export type ToolRequest = { method: HttpMethod; path: string; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> };

export type ToolDefinition = ToolMeta & {
  input: z.ZodType;
  request(input: never): ToolRequest;
  /** Shapes the provider's answer (JSON, or null for an empty body) into the declared output. */
  output: z.ZodType;
  shape?(upstream: unknown, status: number, input: never): unknown;
};

/** One path segment, encoded so an input can never add a segment of its own. */
export const pathSegment = (s: string) => encodeURIComponent(s);

/** A page size the provider accepts: 1 to `max`, `def` when the agent sends none. */
export const limit = (max: number, def: number) => z.number().int().min(1).max(max).default(def);

/** A tool's definition joined to its metadata, which must be listed in the provider's meta.ts. */
export function define<I extends z.ZodType, O extends z.ZodType>(
  provider: { key: string; tools: readonly ToolMeta[] },
  name: string,
  spec: { input: I; request: (input: z.output<I>) => ToolRequest; output: O; shape?: (upstream: unknown, status: number, input: z.output<I>) => unknown },
): ToolDefinition {
  const meta = provider.tools.find((t) => t.name === name);
  if (!meta) throw new Error(`Tool ${name} is not listed in lib/providers/${provider.key}/meta.ts.`);
  return { ...meta, ...spec } as ToolDefinition;
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
