import "server-only";

// Twilio authenticates with HTTP basic auth (Account SID and auth token); the API address names the account.
import { API_KEY_SCOPES } from "@/lib/providers/api-key-scopes";
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  credential: {
    type: "api_key",
    fields: [
      { name: "account_sid", label: "Account SID", secret: false, pattern: "^AC[0-9a-f]{32}$", hint: "AC..." },
      { name: "auth_token", label: "Auth token", pattern: "^[0-9a-f]{32}$" },
    ],
    apply: [{ in: "basic", username: "{account_sid}", password: "{auth_token}" }],
    accountField: "account_sid",
    verify: { path: "/Calls.json?PageSize=1" },
  },
  scopes: [...API_KEY_SCOPES],
  apiBaseUrl: "https://api.twilio.com/2010-04-01/Accounts/{account_sid}",
};
