import "server-only";

// Built-in definitions for workplace suites: Google, Microsoft Graph, Atlassian, Slack, Notion.
// Endpoints and scopes follow each provider's own OAuth documentation; scope descriptions are
// written for the person on the consent screen, not for developers.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

const GOOGLE_AUTH = "https://www.googleapis.com/auth";

export const google: ProviderDefinitionInput = {
  key: "google",
  name: "Google",
  description: "Google Calendar, Gmail and Drive for your Google account.",
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

export const microsoft: ProviderDefinitionInput = {
  key: "microsoft",
  name: "Microsoft 365",
  description: "Outlook mail, calendar and OneDrive files through Microsoft Graph.",
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
};

export const atlassian: ProviderDefinitionInput = {
  key: "atlassian",
  name: "Jira (Atlassian)",
  description: "Jira issues and projects on your Atlassian Cloud site.",
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
};

export const slack: ProviderDefinitionInput = {
  key: "slack",
  name: "Slack",
  description: "Read channels and post messages in Slack as you (user token).",
  kind: "builtin",
  authorizationUrl: "https://slack.com/oauth/v2/authorize",
  tokenUrl: "https://slack.com/api/oauth.v2.access",
  revocationUrl: "https://slack.com/api/auth.revoke",
  scopes: [
    { name: "channels:read", description: "See the public channels in your workspace", default: true },
    { name: "channels:history", description: "Read messages in public channels you are in", default: false },
    { name: "users:read", description: "See people in your workspace", default: true },
    { name: "chat:write", description: "Send messages as you", default: false },
    { name: "users.profile:write", description: "Change your profile and status", default: false },
    { name: "search:read", description: "Search your workspace's messages and files", default: false },
  ],
  scopeSeparator: ",",
  // Acting as the person (not a bot) means user scopes in `user_scope` and the token in `authed_user`.
  scopeParam: "user_scope",
  tokenResponsePath: "authed_user",
  // Slack does not document PKCE for confidential web apps' oauth.v2.access.
  pkce: false,
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://slack.com/api",
  apiHosts: ["slack.com"],
  metadataSteps: [{ source: "token", name: "Remember your workspace", pick: { team: "team.name", team_id: "team.id" } }],
  accountIdentity: { source: "token", idPath: "authed_user.id", labelPath: "team.name" },
  // User tokens last until revoked unless the app opts into token rotation.
  supportsRefresh: false,
};

export const notion: ProviderDefinitionInput = {
  key: "notion",
  name: "Notion",
  description: "Pages and databases you share with the vault in your Notion workspace.",
  kind: "builtin",
  authorizationUrl: "https://api.notion.com/v1/oauth/authorize",
  tokenUrl: "https://api.notion.com/v1/oauth/token",
  // Access is chosen page by page on Notion's own screen; there are no OAuth scopes.
  scopes: [],
  pkce: false,
  authorizationParams: { owner: "user" },
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://api.notion.com/v1",
  apiHosts: ["api.notion.com"],
  metadataSteps: [
    { source: "token", name: "Remember your workspace", pick: { workspace_id: "workspace_id", workspace_name: "workspace_name", bot_id: "bot_id" } },
  ],
  accountIdentity: { source: "token", idPath: "owner.user.id", labelPath: "workspace_name" },
  // Newer Notion integrations return a refresh token; older ones return none and never expire.
  supportsRefresh: true,
};
