import "server-only";

// Salesforce's OAuth endpoints; each org's API lives on its own host, learnt from the token answer.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://login.salesforce.com/services/oauth2/authorize",
  tokenUrl: "https://login.salesforce.com/services/oauth2/token",
  revocationUrl: "https://login.salesforce.com/services/oauth2/revoke",
  userinfoUrl: "https://login.salesforce.com/services/oauth2/userinfo",
  scopes: [
    { name: "api", description: "Read and change your Salesforce data", default: true },
    { name: "refresh_token", description: "Stay connected when you are not signed in", default: true },
    { name: "openid", description: "Confirm who you are", default: true },
  ],
  tokenAuthMethod: "client_secret_post",
  // Each org lives on its own host, returned with the token as instance_url.
  apiBaseUrl: "{instance_url}/services/data/v62.0",
  apiHosts: ["*.my.salesforce.com", "*.salesforce.com"],
  metadataSteps: [{ source: "token", name: "Find your Salesforce org", pick: { instance_url: "instance_url" } }],
  accountIdentity: {
    source: "api",
    url: "https://login.salesforce.com/services/oauth2/userinfo",
    idPath: "user_id",
    labelPath: "preferred_username",
  },
  supportsRefresh: true,
};
