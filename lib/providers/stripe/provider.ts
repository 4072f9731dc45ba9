import "server-only";

// Stripe takes a secret (sk_) or restricted (rk_) key as a bearer token; GET /v1/account names the account.
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
    fields: [{ name: "secret_key", label: "Secret or restricted key", pattern: "^(sk|rk)_(test|live)_[A-Za-z0-9]{10,}$", hint: "sk_live_... or rk_live_..." }],
    apply: [{ in: "header", name: "authorization", value: "Bearer {secret_key}" }],
    // Stripe's dashboard shows keys by their last four characters too.
    lastFour: "secret_key",
    verify: { path: "/account", idPath: "id", labelPath: "settings.dashboard.display_name" },
  },
  scopes: [...API_KEY_SCOPES],
  apiBaseUrl: "https://api.stripe.com/v1",
};
