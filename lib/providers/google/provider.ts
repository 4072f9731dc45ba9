import "server-only";

// Google's OAuth endpoints, scopes and APIs, from Google's own OAuth documentation; scope
// descriptions are written for the person on the consent screen, not for developers.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

const GOOGLE_AUTH = "https://www.googleapis.com/auth";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  authorizationUrl: "https://accounts.google.com/o/oauth2/v2/auth",
  tokenUrl: "https://oauth2.googleapis.com/token",
  revocationUrl: "https://oauth2.googleapis.com/revoke",
  // Google advertises authorization_response_iss_parameter_supported, so RFC 9207 checks apply.
  issuer: "https://accounts.google.com",
  userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
  scopes: [
    { name: "openid", description: "Confirm who you are", default: true },
    { name: "email", description: "See your email address", default: true },
    { name: "profile", description: "See your name and profile picture", default: true },
    { name: `${GOOGLE_AUTH}/calendar.readonly`, description: "See your calendars and events", default: true },
    { name: `${GOOGLE_AUTH}/calendar.events`, description: "Create, change and delete events in your calendars", default: false },
    { name: `${GOOGLE_AUTH}/gmail.readonly`, description: "Read your email messages and settings", default: false },
    { name: `${GOOGLE_AUTH}/gmail.send`, description: "Send email as you", default: false },
    { name: `${GOOGLE_AUTH}/drive.readonly`, description: "See and download all your Google Drive files", default: false },
    { name: `${GOOGLE_AUTH}/drive.file`, description: "See, change and delete only the Drive files this vault creates or you open with it", default: false },
  ],
  // Without offline + consent Google omits the refresh token on a second connect of the same account.
  authorizationParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
  tokenAuthMethod: "client_secret_post",
  apiBaseUrl: "https://www.googleapis.com",
  apiHosts: ["www.googleapis.com", "gmail.googleapis.com"],
  accountIdentity: { source: "api", url: "https://openidconnect.googleapis.com/v1/userinfo", idPath: "sub", labelPath: "email" },
  supportsRefresh: true,
};
