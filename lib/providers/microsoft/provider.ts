import "server-only";

// Microsoft identity platform endpoints and Microsoft Graph scopes, from Microsoft's OAuth documentation.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  // `common` accepts work, school and personal accounts; the issuer then varies per tenant, so no
  // fixed `issuer` is declared.
  authorizationUrl: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
  tokenUrl: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
  userinfoUrl: "https://graph.microsoft.com/v1.0/me",
  scopes: [
    { name: "offline_access", description: "Stay connected when you are not signed in", default: true },
    { name: "User.Read", description: "Sign you in and read your profile", default: true },
    { name: "Mail.Read", description: "Read your email", default: false },
    { name: "Mail.Send", description: "Send email as you", default: false },
    { name: "Calendars.Read", description: "Read your calendars", default: true },
    { name: "Calendars.ReadWrite", description: "Create, change and delete events in your calendars", default: false },
    { name: "Files.Read", description: "Read your OneDrive files", default: false },
    { name: "Files.ReadWrite", description: "Create, change and delete your OneDrive files", default: false },
  ],
  tokenAuthMethod: "client_secret_post",
  apiBaseUrl: "https://graph.microsoft.com/v1.0",
  apiHosts: ["graph.microsoft.com"],
  accountIdentity: { source: "api", url: "https://graph.microsoft.com/v1.0/me", idPath: "id", labelPath: "userPrincipalName" },
  supportsRefresh: true,
  // Microsoft identity platform refresh tokens last 90 days (each refresh issues a new one).
  refreshTokenLifetimeDays: 90,
};
