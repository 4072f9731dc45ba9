import "server-only";

// Atlassian's 3LO endpoints, Jira scopes and the API gateway, from Atlassian's OAuth documentation.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://auth.atlassian.com/authorize",
  tokenUrl: "https://auth.atlassian.com/oauth/token",
  scopes: [
    { name: "read:jira-work", description: "Read Jira projects, issues and comments", default: true },
    { name: "write:jira-work", description: "Create and edit Jira issues and comments", default: false },
    { name: "read:jira-user", description: "See names and emails of people on your Jira site", default: true },
    { name: "read:me", description: "See your Atlassian profile", default: true },
    { name: "offline_access", description: "Stay connected when you are not signed in", default: true },
  ],
  // PKCE is not documented for Atlassian 3LO apps, so it is not sent.
  pkce: false,
  // `audience` selects the Atlassian API gateway; `prompt=consent` is required by Atlassian's flow.
  authorizationParams: { audience: "api.atlassian.com", prompt: "consent" },
  tokenAuthMethod: "client_secret_post",
  // Atlassian tokens are not tied to one site: the gateway URL needs the chosen site's cloud id.
  apiBaseUrl: "https://api.atlassian.com/ex/jira/{cloud_id}",
  apiHosts: ["api.atlassian.com"],
  metadataSteps: [
    {
      source: "api",
      name: "Find your Jira site",
      url: "https://api.atlassian.com/oauth/token/accessible-resources",
      method: "GET",
      pick: { cloud_id: "0.id", site: "0.name", site_url: "0.url" },
    },
  ],
  accountIdentity: { source: "api", url: "https://api.atlassian.com/me", idPath: "account_id", labelPath: "email" },
  supportsRefresh: true,
  // Atlassian's rotating refresh tokens expire after 90 days (each rotation starts a new one).
  refreshTokenLifetimeDays: 90,
};
