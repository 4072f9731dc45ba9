import "server-only";

// Built-in definitions for developer and business tools: GitHub, Linear, Salesforce, HubSpot, Dropbox.
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

export const github: ProviderDefinitionInput = {
  key: "github",
  name: "GitHub",
  description: "Repositories, issues and pull requests on GitHub (OAuth app).",
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

export const linear: ProviderDefinitionInput = {
  key: "linear",
  name: "Linear",
  description: "Issues, projects and comments in your Linear workspace.",
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

export const salesforce: ProviderDefinitionInput = {
  key: "salesforce",
  name: "Salesforce",
  description: "Records and reports in your Salesforce org.",
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

export const hubspot: ProviderDefinitionInput = {
  key: "hubspot",
  name: "HubSpot",
  description: "Contacts, companies and deals in your HubSpot CRM.",
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

export const dropbox: ProviderDefinitionInput = {
  key: "dropbox",
  name: "Dropbox",
  description: "Files and folders in your Dropbox.",
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
