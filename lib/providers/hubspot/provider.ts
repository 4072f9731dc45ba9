import "server-only";

// HubSpot's public app endpoints and CRM scopes.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://app.hubspot.com/oauth/authorize",
  tokenUrl: "https://api.hubapi.com/oauth/v1/token",
  scopes: [
    { name: "oauth", description: "Connect to your HubSpot account", default: true },
    { name: "crm.objects.contacts.read", description: "See your contacts", default: true },
    { name: "crm.objects.contacts.write", description: "Create and change your contacts", default: false },
    { name: "crm.objects.companies.read", description: "See your companies", default: false },
    { name: "crm.objects.companies.write", description: "Create and change your companies", default: false },
    { name: "crm.objects.deals.read", description: "See your deals", default: false },
    { name: "crm.objects.deals.write", description: "Create and change your deals", default: false },
  ],
  // HubSpot's public app flow does not document PKCE.
  pkce: false,
  tokenAuthMethod: "client_secret_post",
  apiBaseUrl: "https://api.hubapi.com",
  apiHosts: ["api.hubapi.com"],
  // The account-details endpoint names the portal without putting the token in a URL.
  accountIdentity: { source: "api", url: "https://api.hubapi.com/account-info/v3/details", idPath: "portalId", labelPath: "portalId" },
  supportsRefresh: true,
};
