// Every provider that has its own folder, as the portal may know it: name, description, logo, tools,
// and the tool catalogue and proxy scope rules assembled from them. Client-safe (no server-only, no
// URLs): pages, client components and the PDP import this. Its server-side twin, lib/providers/index.ts,
// lists the same folders' definitions and tool implementations; index.test.ts checks the two agree.
import type { ProviderMeta } from "@/lib/providers/provider-meta";
import type { ProxyScopeRule, ToolMeta } from "@/lib/tools/tool";

import { meta as atlassian } from "./atlassian/meta";
import { meta as demoTasks } from "./demo-tasks/meta";
import { meta as dropbox } from "./dropbox/meta";
import { meta as github } from "./github/meta";
import { meta as google } from "./google/meta";
import { meta as hubspot } from "./hubspot/meta";
import { meta as linear } from "./linear/meta";
import { meta as microsoft } from "./microsoft/meta";
import { meta as notion } from "./notion/meta";
import { meta as salesforce } from "./salesforce/meta";
import { meta as slack } from "./slack/meta";
import { meta as openai } from "./openai/meta";
import { meta as anthropic } from "./anthropic/meta";
import { meta as stripe } from "./stripe/meta";
import { meta as sendgrid } from "./sendgrid/meta";
import { meta as twilio } from "./twilio/meta";

/** The bundled demo provider first, then the built-ins in the order the portal lists them. */
export const PROVIDER_META: readonly ProviderMeta[] = [
  demoTasks,
  github,
  google,
  atlassian,
  slack,
  microsoft,
  salesforce,
  notion,
  linear,
  hubspot,
  dropbox,
  openai,
  anthropic,
  stripe,
  sendgrid,
  twilio,
];

const PROVIDER_BY_KEY = new Map(PROVIDER_META.map((p) => [p.key, p]));

/** A provider's client-safe metadata; undefined for providers without a folder (admin-added, or from the operator's file). */
export function providerMeta(key: string): ProviderMeta | undefined {
  return PROVIDER_BY_KEY.get(key);
}

export const TOOLS: readonly ToolMeta[] = PROVIDER_META.flatMap((p) => p.tools);

const TOOL_BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

export function findTool(name: string): ToolMeta | undefined {
  return TOOL_BY_NAME.get(name);
}

export function toolsForProvider(provider: string): ToolMeta[] {
  return TOOLS.filter((t) => t.provider === provider);
}

export const PROXY_SCOPE_RULES: Readonly<Record<string, readonly ProxyScopeRule[]>> = Object.fromEntries(
  PROVIDER_META.filter((p) => p.proxyScopeRules && p.proxyScopeRules.length > 0).map((p) => [p.key, p.proxyScopeRules!]),
);
