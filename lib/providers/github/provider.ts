import "server-only";

// GitHub's OAuth app endpoints, scopes and API. Validated with every built-in by catalogue.ts.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://github.com/login/oauth/authorize",
  tokenUrl: "https://github.com/login/oauth/access_token",
  // GitHub's grant revocation is DELETE /applications/{client_id}/grant, not RFC 7009: none declared.
  userinfoUrl: "https://api.github.com/user",
  scopes: [
    { name: "read:user", description: "Read your GitHub profile", default: true },
    { name: "user:email", description: "See your email addresses", default: true },
    { name: "repo", description: "Read and write all your repositories, including private ones", default: false },
    { name: "public_repo", description: "Read and write your public repositories", default: false },
    { name: "read:org", description: "See your organisations and teams", default: false },
    { name: "gist", description: "Create gists", default: false },
    { name: "notifications", description: "Read and mark your notifications", default: false },
  ],
  // GitHub accepts S256 PKCE since July 2025.
  pkce: true,
  tokenAuthMethod: "client_secret_post",
  apiBaseUrl: "https://api.github.com",
  apiHosts: ["api.github.com"],
  accountIdentity: { source: "api", url: "https://api.github.com/user", idPath: "id", labelPath: "login" },
  // OAuth app tokens do not expire and come without a refresh token.
  supportsRefresh: false,
};
