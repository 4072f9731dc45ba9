import "server-only";

// Slack's OAuth v2 endpoints and user scopes: the vault acts as the person, never as a bot.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://slack.com/oauth/v2/authorize",
  tokenUrl: "https://slack.com/api/oauth.v2.access",
  revocationUrl: "https://slack.com/api/auth.revoke",
  scopes: [
    { name: "channels:read", description: "See the public channels in your workspace", default: true },
    { name: "channels:history", description: "Read messages in public channels you are in", default: false },
    { name: "users:read", description: "See people in your workspace", default: true },
    { name: "chat:write", description: "Send messages as you", default: false },
    { name: "users.profile:write", description: "Change your profile and status", default: false },
    { name: "search:read", description: "Search your workspace's messages and files", default: false },
  ],
  scopeSeparator: ",",
  // Acting as the person (not a bot) means user scopes in `user_scope` and the token in `authed_user`.
  scopeParam: "user_scope",
  tokenResponsePath: "authed_user",
  // Slack does not document PKCE for confidential web apps' oauth.v2.access.
  pkce: false,
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://slack.com/api",
  apiHosts: ["slack.com"],
  metadataSteps: [{ source: "token", name: "Remember your workspace", pick: { team: "team.name", team_id: "team.id" } }],
  accountIdentity: { source: "token", idPath: "authed_user.id", labelPath: "team.name" },
  // User tokens last until revoked unless the app opts into token rotation.
  supportsRefresh: false,
};
