import "server-only";

// Notion's public integration endpoints: access is chosen page by page on Notion's own screen.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://api.notion.com/v1/oauth/authorize",
  tokenUrl: "https://api.notion.com/v1/oauth/token",
  // Access is chosen page by page on Notion's own screen; there are no OAuth scopes.
  scopes: [],
  pkce: false,
  authorizationParams: { owner: "user" },
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://api.notion.com/v1",
  apiHosts: ["api.notion.com"],
  metadataSteps: [
    { source: "token", name: "Remember your workspace", pick: { workspace_id: "workspace_id", workspace_name: "workspace_name", bot_id: "bot_id" } },
  ],
  accountIdentity: { source: "token", idPath: "owner.user.id", labelPath: "workspace_name" },
  // Newer Notion integrations return a refresh token; older ones return none and never expire.
  supportsRefresh: true,
};
