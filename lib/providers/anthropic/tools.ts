import "server-only";

// Anthropic's tools: none yet. A tool is listed in meta.ts and defined here (README, "Working on it": adding a tool).
import type { ToolDefinition } from "@/lib/tools/tool";

export const tools: readonly ToolDefinition[] = [];
