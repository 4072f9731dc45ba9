import "server-only";

// Linear's OAuth endpoints and scopes; its API is GraphQL only.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://linear.app/oauth/authorize",
  tokenUrl: "https://api.linear.app/oauth/token",
  revocationUrl: "https://api.linear.app/oauth/revoke",
  scopes: [
    { name: "read", description: "Read your issues, projects and teams", default: true },
    { name: "write", description: "Create and change anything you can in Linear", default: false },
    { name: "issues:create", description: "Create issues", default: false },
    { name: "comments:create", description: "Comment on issues", default: false },
  ],
  scopeSeparator: ",",
  tokenAuthMethod: "client_secret_post",
  apiBaseUrl: "https://api.linear.app",
  apiHosts: ["api.linear.app"],
  // Linear has only a GraphQL API, so the identity read is a POST query.
  accountIdentity: {
    source: "api",
    url: "https://api.linear.app/graphql",
    method: "POST",
    body: { query: "query { viewer { id email } }" },
    idPath: "data.viewer.id",
    labelPath: "data.viewer.email",
  },
  // Linear issues rotating refresh tokens for all OAuth apps since April 2026.
  supportsRefresh: true,
};
