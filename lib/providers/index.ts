import "server-only";

// The built-in providers and the bundled demo provider, one folder each: their definitions (URLs,
// scopes, token settings) and their tools' implementations. Definitions are authored in the input
// shape and validated by catalogue.ts at module load, so a typo in one fails every start loudly.
// The client-safe twin, lib/providers/meta.ts, lists the same folders; index.test.ts checks both.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";
import type { ToolDefinition } from "@/lib/tools/tool";

import { provider as atlassian } from "./atlassian/provider";
import { tools as atlassianTools } from "./atlassian/tools";
import { tools as demoTasksTools } from "./demo-tasks/tools";
import { provider as dropbox } from "./dropbox/provider";
import { tools as dropboxTools } from "./dropbox/tools";
import { provider as github } from "./github/provider";
import { tools as githubTools } from "./github/tools";
import { provider as google } from "./google/provider";
import { tools as googleTools } from "./google/tools";
import { provider as hubspot } from "./hubspot/provider";
import { tools as hubspotTools } from "./hubspot/tools";
import { provider as linear } from "./linear/provider";
import { tools as linearTools } from "./linear/tools";
import { provider as microsoft } from "./microsoft/provider";
import { tools as microsoftTools } from "./microsoft/tools";
import { provider as notion } from "./notion/provider";
import { tools as notionTools } from "./notion/tools";
import { provider as salesforce } from "./salesforce/provider";
import { tools as salesforceTools } from "./salesforce/tools";
import { provider as slack } from "./slack/provider";
import { tools as slackTools } from "./slack/tools";
import { provider as openai } from "./openai/provider";
import { tools as openaiTools } from "./openai/tools";
import { provider as anthropic } from "./anthropic/provider";
import { tools as anthropicTools } from "./anthropic/tools";
import { provider as stripe } from "./stripe/provider";
import { tools as stripeTools } from "./stripe/tools";
import { provider as sendgrid } from "./sendgrid/provider";
import { tools as sendgridTools } from "./sendgrid/tools";
import { provider as twilio } from "./twilio/provider";
import { tools as twilioTools } from "./twilio/tools";

export { DEMO_PATHS, DEMO_PROVIDER_KEY, demoTasksDefinition } from "./demo-tasks/provider";

/** The built-ins in the order the portal lists them (the demo provider is built from its issuer at start). */
export const BUILTIN_DEFINITIONS: readonly ProviderDefinitionInput[] = [
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

/** Every folder's tools, in the order of lib/providers/meta.ts. */
export const TOOL_DEFINITIONS: readonly ToolDefinition[] = [
  demoTasksTools,
  githubTools,
  googleTools,
  atlassianTools,
  slackTools,
  microsoftTools,
  salesforceTools,
  notionTools,
  linearTools,
  hubspotTools,
  dropboxTools,
  openaiTools,
  anthropicTools,
  stripeTools,
  sendgridTools,
  twilioTools,
].flat();

const TOOL_BY_NAME = new Map(TOOL_DEFINITIONS.map((t) => [t.name, t]));

export function findToolDefinition(name: string): ToolDefinition | undefined {
  return TOOL_BY_NAME.get(name);
}
