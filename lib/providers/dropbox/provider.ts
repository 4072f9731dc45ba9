import "server-only";

// Dropbox's OAuth endpoints, scopes and RPC API.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://www.dropbox.com/oauth2/authorize",
  tokenUrl: "https://api.dropboxapi.com/oauth2/token",
  // Dropbox revokes the token presented as the bearer credential, with no body.
  revocationUrl: "https://api.dropboxapi.com/2/auth/token/revoke",
  revocationStyle: "bearer",
  scopes: [
    { name: "account_info.read", description: "See your Dropbox account name and email", default: true },
    { name: "files.metadata.read", description: "See the names and details of your files and folders", default: true },
    { name: "files.content.read", description: "Read the contents of your files", default: false },
    { name: "files.content.write", description: "Create, change and delete your files", default: false },
  ],
  // Without token_access_type=offline Dropbox issues a short-lived token and no refresh token.
  authorizationParams: { token_access_type: "offline" },
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://api.dropboxapi.com/2",
  apiHosts: ["api.dropboxapi.com", "content.dropboxapi.com"],
  // Dropbox's RPC endpoints are POST with no body.
  accountIdentity: {
    source: "api",
    url: "https://api.dropboxapi.com/2/users/get_current_account",
    method: "POST",
    idPath: "account_id",
    labelPath: "email",
  },
  supportsRefresh: true,
};
