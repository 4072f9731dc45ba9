// How a catalogue tool reads to an MCP client (MCP "Tools"): its MCP name, title, annotations and the
// JSON Schema of its declared output. The hints are hints (clients use them to decide what to confirm
// with the person), derived from the catalogue: `write` decides readOnlyHint; the verb of the
// operation decides destructiveHint where it is clear (a delete destroys, a create or post only
// adds); every tool reaches a third-party provider, so the world it acts on is open. Pure.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

import { findTool } from "@/lib/providers/meta";
import { findToolDefinition } from "@/lib/providers";
import type { ToolDefinition } from "@/lib/tools/tool";

import { mcpToolName } from "./tool-names";

export type ToolListingLike = { name: string; title: string; description: string; inputSchema: object };
type Annotations = NonNullable<Tool["annotations"]>;
type OutputSchema = NonNullable<Tool["outputSchema"]>;

const DESTRUCTIVE_VERBS = /^(delete|remove|destroy|purge|revoke|archive)_/;
const ADDITIVE_VERBS = /^(create|add|post|send|open|comment)_/;

export function toMcpTool(tool: ToolListingLike, mcpName = mcpToolName(tool.name)): Tool {
  const outputSchema = toolOutputSchema(tool.name);
  return {
    name: mcpName,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool["inputSchema"],
    ...(outputSchema ? { outputSchema } : {}),
    annotations: toolAnnotations(tool.name, tool.title),
  };
}

export function toolAnnotations(name: string, title: string): Annotations {
  const meta = findTool(name);
  // An unknown tool is assumed to write: the hint a client would otherwise assume anyway.
  const write = meta ? meta.write : true;
  const annotations: Annotations = { title, readOnlyHint: !write, openWorldHint: true };
  if (!write) return annotations;
  const operation = meta && name.startsWith(`${meta.provider}.`) ? name.slice(meta.provider.length + 1) : name;
  // MCP's default for a tool that writes is destructive; say so only where the verb makes it clear either way.
  if (DESTRUCTIVE_VERBS.test(operation)) annotations.destructiveHint = true;
  else if (ADDITIVE_VERBS.test(operation)) annotations.destructiveHint = false;
  return annotations;
}

/** The JSON Schema of the tool's declared output, when that output is an object (MCP requires one); else undefined. */
export function toolOutputSchema(name: string): OutputSchema | undefined {
  const tool = findToolDefinition(name);
  return tool ? outputSchemaOf(tool) : undefined;
}

const cache = new WeakMap<ToolDefinition, OutputSchema | null>();

export function outputSchemaOf(tool: ToolDefinition): OutputSchema | undefined {
  let schema = cache.get(tool);
  if (schema === undefined) {
    const json = z.toJSONSchema(tool.output, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
    // Clients compile the schema with their own validator (the SDK's is draft-07 Ajv): no dialect pinned here.
    delete json.$schema;
    schema = json.type === "object" ? (json as OutputSchema) : null;
    cache.set(tool, schema);
  }
  return schema ?? undefined;
}
