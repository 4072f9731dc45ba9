// Provider catalogue schemas: one definition shape for built-ins, the VAULT_PROVIDERS_FILE format and
// the admin's generic-provider form. Pure (no server-only) so forms can reuse the input schema.
// Every URL the vault will send a secret to is checked here, once, rather than at each call site.
import { z } from "zod";
import { isLoopbackHost } from "@/lib/net/loopback";

const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

/** A provider key becomes a URL segment and an audit field, so it stays a plain slug. */
export const providerKey = z
  .string()
  .trim()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, "must be a lowercase slug like `acme-crm`");

/** RFC 6749 scope-token characters; whitespace or commas would let one scope smuggle in others. */
export const scopeToken = z
  .string()
  .trim()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, "must be a single scope without spaces or quotes")
  .refine((s) => !s.includes(","), "must not contain a comma");

/** Dotted path into a JSON document: `0.id`, `team.name`, `authed_user.access_token`. */
export const jsonPath = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$/, "must be a dotted path like `0.id` or `team.name`");

/**
 * Client secrets and tokens travel to these URLs, so they must be https; plain http is tolerated only
 * on loopback, which is where the bundled demo provider lives.
 */
export const secureUrl = z
  .string()
  .trim()
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.username || url.password || url.hash) return false;
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  }, "must be an https URL (plain http only for localhost) without credentials or a fragment");

/** `api.example.com` or `*.my.salesforce.com`: a wildcard stands for one or more leading labels. */
export const hostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$/,
    "must be a host name like `api.example.com` or `*.example.com`",
  );

/** Placeholder names in a template, in order of appearance. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replaces each placeholder with a harmless stand-in so the template's shape can be checked as a URL. */
function sampleTemplate(template: string): string {
  return template.replace(/^\{[a-z][a-z0-9_]*\}/, "https://placeholder.invalid").replace(PLACEHOLDER, "x");
}

export const scopeDefinition = z
  .object({
    name: scopeToken,
    /** What a person is agreeing to, in words they understand. */
    description: z.string().trim().min(1),
    /** Pre-ticked on the connect screen. */
    default: z.boolean().default(false),
  })
  .strict();

export const metadataStep = z.discriminatedUnion("source", [
  z
    .object({
      source: z.literal("api"),
      name: z.string().trim().min(1),
      url: secureUrl,
      method: z.literal("GET").default("GET"),
      /** metadata key -> path into the response JSON. */
      pick: z.record(
        z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9_]*$/),
        jsonPath,
      ),
    })
    .strict(),
  z
    .object({
      source: z.literal("token"),
      name: z.string().trim().min(1),
      /** metadata key -> path into the token endpoint's response. */
      pick: z.record(
        z
          .string()
          .trim()
          .regex(/^[a-z][a-z0-9_]*$/),
        jsonPath,
      ),
    })
    .strict(),
]);

export const accountIdentity = z
  .object({
    source: z.enum(["api", "token"]),
    url: secureUrl.optional(),
    /** Some identity endpoints are POST-only (Dropbox RPC, Linear GraphQL); GET is the norm. */
    method: z.enum(["GET", "POST"]).default("GET"),
    /** JSON body for a POST identity call (e.g. a GraphQL query). */
    body: z.record(z.string(), z.unknown()).optional(),
    idPath: jsonPath,
    labelPath: jsonPath,
  })
  .strict()
  .refine((a) => a.source === "token" || a.url !== undefined, {
    message: "needs a url when the account is read from an API",
    path: ["url"],
  });

/** Params the vault itself controls; a definition cannot override them through its extra params. */
export const RESERVED_AUTHORIZATION_PARAMS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "state",
  "scope",
  "user_scope",
  "code_challenge",
  "code_challenge_method",
  "nonce",
] as const;

export const RESERVED_TOKEN_PARAMS = ["grant_type", "code", "redirect_uri", "code_verifier", "client_id", "client_secret", "refresh_token"] as const;

const extraParams = z.record(z.string().trim().min(1), z.string().trim());

const fieldKey = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]*$/, "must be a lowercase name like `api_key`");

/** RFC 9110 field-name characters; the vault's own framing headers are not the provider's to set. */
const credentialHeaderName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[!#$%&'*+.^_`|~0-9a-z-]{1,64}$/, "must be an HTTP header name like `x-api-key`")
  .refine(
    (name) => !["host", "cookie", "content-length", "transfer-encoding", "connection", "accept-encoding", "proxy-authorization"].includes(name),
    "is a header the vault sets itself",
  );

/** A value built from the credential's fields: `Bearer {api_key}`, `{api_key}`, or a constant like `2023-06-01`. */
const credentialTemplate = z
  .string()
  .max(200)
  .refine((v) => !/[\r\n\0]/.test(v), "must be one line");

/** One field the person pastes: the key itself, or a non-secret part of it (Twilio's Account SID). */
export const credentialField = z
  .object({
    name: fieldKey,
    label: z.string().trim().min(1).max(80),
    /** Secret fields are encrypted and never shown again; a non-secret one is kept in the connection's metadata too. */
    secret: z.boolean().default(true),
    /** The provider's format, checked before anything is sent anywhere. */
    pattern: z
      .string()
      .max(200)
      .refine((p) => {
        try {
          new RegExp(p);
          return true;
        } catch {
          return false;
        }
      }, "must be a valid regular expression")
      .optional(),
    /** What the field looks like, shown in the empty input (never a real value): `sk-...`. */
    hint: z.string().trim().max(80).optional(),
  })
  .strict();

/** Where the credential goes on each call to the provider's API. */
export const credentialPlacement = z.discriminatedUnion("in", [
  z.object({ in: z.literal("header"), name: credentialHeaderName, value: credentialTemplate }).strict(),
  z
    .object({
      in: z.literal("query"),
      name: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a query parameter name like `api_key`"),
      value: credentialTemplate,
    })
    .strict(),
  z.object({ in: z.literal("basic"), username: credentialTemplate, password: credentialTemplate }).strict(),
]);

/** A non-OAuth credential: what the person pastes, how each call carries it, and how it is checked first. */
export const apiKeyCredential = z
  .object({
    type: z.literal("api_key"),
    fields: z.array(credentialField).min(1).max(4),
    apply: z.array(credentialPlacement).min(1).max(4),
    /** The field whose last four characters the portal may show (where the provider's format allows it). */
    lastFour: fieldKey.optional(),
    /** A non-secret field that names the account (Twilio's Account SID), when the verification answer does not. */
    accountField: fieldKey.optional(),
    /** A harmless call that checks the credential before it is stored; its answer may name the account. */
    verify: z
      .object({
        method: z.enum(["GET", "POST"]).default("GET"),
        /** Relative to the API base: `/v1/models`. */
        path: z
          .string()
          .trim()
          .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, "must be a path like `/v1/me`"),
        idPath: jsonPath.optional(),
        labelPath: jsonPath.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const credentialKind = z.discriminatedUnion("type", [z.object({ type: z.literal("oauth2") }).strict(), apiKeyCredential]);

const providerDefinitionObject = z
  .object({
    key: providerKey,
    name: z.string().trim().min(1).max(80),
    description: z.string().trim().min(1).max(400),
    kind: z.enum(["builtin", "generic", "file"]),
    /** OAuth 2.0 (the default) or a credential the person pastes; the OAuth fields below are for OAuth only. */
    credential: credentialKind.default({ type: "oauth2" }),
    authorizationUrl: secureUrl.optional(),
    tokenUrl: secureUrl.optional(),
    revocationUrl: secureUrl.optional(),
    /**
     * How the revocation endpoint takes the token: RFC 7009 form post, or the token as a bearer
     * credential with no body (Dropbox). Slack's auth.revoke accepts the RFC 7009 form.
     */
    revocationStyle: z.enum(["rfc7009", "bearer"]).default("rfc7009"),
    /** Expected `iss` on the authorization response (RFC 9207), when the provider sends one. */
    issuer: z.string().trim().pipe(z.url()).optional(),
    userinfoUrl: secureUrl.optional(),
    scopes: z.array(scopeDefinition),
    scopeSeparator: z.enum([" ", ","]).default(" "),
    /** Slack's user-token flow puts user scopes in `user_scope`, not `scope`. */
    scopeParam: z.enum(["scope", "user_scope"]).default("scope"),
    pkce: z.boolean().default(true),
    authorizationParams: extraParams.optional(),
    tokenParams: extraParams.optional(),
    tokenAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).optional(),
    /**
     * Where the user's tokens sit in the token response when not at the top level; Slack returns
     * the user token under `authed_user` next to an (absent or bot) top-level token.
     */
    tokenResponsePath: jsonPath.optional(),
    /** Template; `{name}` placeholders are filled from connection metadata by resolveApiBase. */
    apiBaseUrl: z.string().trim().min(1),
    /** Hosts the vault may call with this provider's tokens; required when a placeholder sits in the host. */
    apiHosts: z.array(hostPattern).min(1).optional(),
    metadataSteps: z.array(metadataStep).default([]),
    accountIdentity: accountIdentity.optional(),
    supportsRefresh: z.boolean().default(false),
    /**
     * How long a refresh token lasts at most from when it was issued, when the provider has such a
     * policy and does not say so in its token response (`refresh_token_expires_in` wins when sent).
     */
    refreshTokenLifetimeDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

type DefinitionShape = z.output<typeof providerDefinitionObject>;

/** Cross-field rules, shared by the plain definition and the file entry (which adds credentials). */
function checkDefinition(def: DefinitionShape, ctx: z.RefinementCtx): void {
  if (def.credential.type === "oauth2") {
    for (const field of ["authorizationUrl", "tokenUrl", "tokenAuthMethod", "accountIdentity"] as const) {
      if (def[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: "is required for an OAuth provider" });
    }
  } else {
    checkApiKeyCredential(def.credential, ctx);
    if (def.supportsRefresh) ctx.addIssue({ code: "custom", path: ["supportsRefresh"], message: "must be false: a pasted credential is not refreshed" });
  }
  const names = new Set<string>();
  def.scopes.forEach((scope, i) => {
    if (names.has(scope.name)) ctx.addIssue({ code: "custom", path: ["scopes", i, "name"], message: `lists scope "${scope.name}" twice` });
    names.add(scope.name);
  });
  const reserved = [
    ["authorizationParams", def.authorizationParams, RESERVED_AUTHORIZATION_PARAMS],
    ["tokenParams", def.tokenParams, RESERVED_TOKEN_PARAMS],
  ] as const;
  for (const [field, params, names] of reserved) {
    for (const name of Object.keys(params ?? {})) {
      if ((names as readonly string[]).includes(name)) {
        ctx.addIssue({ code: "custom", path: [field, name], message: `cannot set "${name}": the vault sets it itself` });
      }
    }
  }
  const template = def.apiBaseUrl;
  const sample = sampleTemplate(template);
  let parsed: URL | null = null;
  try {
    parsed = new URL(sample);
  } catch {
    parsed = null;
  }
  if (!parsed || secureUrl.safeParse(sample).success === false || parsed.search || parsed.hash) {
    ctx.addIssue({
      code: "custom",
      path: ["apiBaseUrl"],
      message: "must be an https URL template like `https://api.example.com/v1` or `{instance_url}/services/data`",
    });
    return;
  }
  const wholeUrl = /^\{[a-z][a-z0-9_]*\}/.test(template);
  const hostPart = template.replace(/^[a-z]+:\/\//, "").split("/")[0] ?? "";
  if ((wholeUrl || hostPart.includes("{")) && !def.apiHosts) {
    ctx.addIssue({ code: "custom", path: ["apiHosts"], message: "is required when a placeholder decides the API host" });
  }
}

function checkApiKeyCredential(credential: z.output<typeof apiKeyCredential>, ctx: z.RefinementCtx): void {
  const fields = new Map(credential.fields.map((f) => [f.name, f]));
  if (fields.size !== credential.fields.length) ctx.addIssue({ code: "custom", path: ["credential", "fields"], message: "names a field twice" });
  const used = new Set<string>();
  credential.apply.forEach((placement, i) => {
    const templates = placement.in === "basic" ? [placement.username, placement.password] : [placement.value];
    for (const name of templates.flatMap(templatePlaceholders)) {
      if (!fields.has(name)) ctx.addIssue({ code: "custom", path: ["credential", "apply", i], message: `uses {${name}}, which is not one of the fields` });
      used.add(name);
    }
  });
  for (const field of credential.fields) {
    if (field.secret && !used.has(field.name)) {
      ctx.addIssue({ code: "custom", path: ["credential", "fields"], message: `asks for "${field.name}" but never sends it` });
    }
  }
  if (credential.lastFour && !fields.has(credential.lastFour)) {
    ctx.addIssue({ code: "custom", path: ["credential", "lastFour"], message: "must name one of the fields" });
  }
  if (credential.accountField && fields.get(credential.accountField)?.secret !== false) {
    ctx.addIssue({ code: "custom", path: ["credential", "accountField"], message: "must name one of the fields that is not secret" });
  }
}

export const providerDefinition = providerDefinitionObject.superRefine(checkDefinition);

/** One entry of VAULT_PROVIDERS_FILE: a definition plus the OAuth client registered with that provider. */
export const providerFileEntry = providerDefinitionObject
  .extend({
    // A file cannot claim to be a built-in; "generic" lets it accept any scope the provider knows.
    kind: z.enum(["file", "generic"]).default("file"),
    clientId: z.string().trim().min(1),
    clientSecret: z.string().trim().min(1),
  })
  .strict()
  .superRefine(checkDefinition);

export const providersFile = z
  .object({
    /** Tenant slug the file applies to; absent means every tenant. */
    tenant: z.string().trim().min(1).optional(),
    providers: z.array(providerFileEntry),
  })
  .strict();

/** What an admin fills in on the portal to add a provider the catalogue does not know. */
export const genericProviderInput = z
  .object({
    key: providerKey,
    name: z.string().trim().min(1).max(80),
    description: z.string().trim().max(400).optional(),
    authorizationUrl: secureUrl,
    tokenUrl: secureUrl,
    revocationUrl: secureUrl.optional(),
    /** Where the account id and label come from after connecting (OIDC userinfo or a `/me`). */
    userinfoUrl: secureUrl,
    accountIdPath: jsonPath.default("sub"),
    accountLabelPath: jsonPath.default("email"),
    scopes: z.array(z.object({ name: scopeToken, description: z.string().trim().max(200).optional() }).strict()).default([]),
    scopeSeparator: z.enum([" ", ","]).default(" "),
    pkce: z.boolean().default(true),
    tokenAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
    supportsRefresh: z.boolean().default(true),
    // No placeholders here: a fixed base keeps admin-entered providers from templating their host.
    apiBaseUrl: secureUrl.refine((v) => !v.includes("{"), "must be a fixed URL without {placeholders}"),
  })
  .strict();

// --- Generic API-key providers: a service the catalogue does not know, whose key each person pastes.

/** The one field an admin-defined API-key provider asks for, and the one scope its connections hold. */
export const GENERIC_API_KEY_FIELD = "api_key";
/**
 * A single scope, not the built-ins' read/write split: that split is enforced by the proxy rules of a
 * provider's folder (lib/providers/<key>/meta.ts), and an admin-defined provider has none, so a `read`
 * delegation would still let an agent send every method its ceiling allows. One honest scope instead.
 */
export const GENERIC_API_KEY_SCOPE = { name: "api", description: "Everything this key allows.", default: true } as const;

/**
 * What an admin fills in to add a service that takes an API key. Where the key goes on each call:
 * - `bearer`: `Authorization: Bearer {key}`;
 * - `header`: the header `parameterName`, its value the key after an optional `prefix` (`Token `);
 * - `query`: the query parameter `parameterName`;
 * - `basic`: HTTP basic auth with the key as the user name and an empty password, as Stripe,
 *   Chargebee or Recurly take it (a key with a colon in it cannot be sent this way).
 * Header and parameter names are checked by providerDefinition when converted, so the rules of the
 * built-ins (no header the vault sets itself) hold here too.
 */
export const genericApiKeyProviderInput = z
  .object({
    credential: z.literal("api_key"),
    key: providerKey,
    name: z.string().trim().min(1).max(80),
    description: z.string().trim().max(400).optional(),
    // Same rule as the OAuth form: a fixed base keeps admin-entered providers from templating their host.
    apiBaseUrl: secureUrl.refine((v) => !v.includes("{"), "must be a fixed URL without {placeholders}"),
    placement: z.enum(["bearer", "header", "query", "basic"]),
    parameterName: z.string().trim().min(1).max(64).optional(),
    /** Written before the key exactly as given, so include its space: `Token `. Header placement only. */
    prefix: z
      .string()
      .min(1)
      .max(40)
      .refine((v) => !/[{}\r\n\0]/.test(v), "must be one line without { or }")
      .optional(),
    /** The key's format, checked before the key is sent anywhere: `^acme_[A-Za-z0-9]{32}$`. */
    keyPattern: z.string().trim().min(1).max(200).optional(),
    /** What a key looks like, shown in the empty input: `acme_...`. */
    keyHint: z.string().trim().min(1).max(80).optional(),
    /** Whether the portal may show the key's last four characters (only where they say nothing secret). */
    showLastFour: z.boolean().default(false),
    /** A harmless GET, relative to the API base, that checks a key before it is stored: `/me`. */
    verifyPath: z.string().trim().min(1).max(200).optional(),
    /** Where the account's id and name sit in the check's JSON answer. */
    accountIdPath: jsonPath.optional(),
    accountLabelPath: jsonPath.optional(),
  })
  .strict()
  .superRefine((form, ctx) => {
    const named = form.placement === "header" || form.placement === "query";
    if (named && !form.parameterName) {
      const what = form.placement === "header" ? "the header" : "the query parameter";
      ctx.addIssue({ code: "custom", path: ["parameterName"], message: `is required: name ${what} that carries the key` });
    }
    if (!named && form.parameterName) {
      ctx.addIssue({ code: "custom", path: ["parameterName"], message: "is only for a key sent in a header or a query parameter" });
    }
    if (form.prefix !== undefined && form.placement !== "header") {
      ctx.addIssue({ code: "custom", path: ["prefix"], message: "is only for a key sent in a header of your choice" });
    }
    for (const field of ["accountIdPath", "accountLabelPath"] as const) {
      if (form[field] && !form.verifyPath) {
        ctx.addIssue({ code: "custom", path: [field], message: "needs a key check path: the account is read from that call's answer" });
      }
    }
  });

export type GenericApiKeyProviderInput = z.output<typeof genericApiKeyProviderInput>;
export type GenericApiKeyProviderFormValues = z.input<typeof genericApiKeyProviderInput>;

function genericApiKeyPlacement(form: GenericApiKeyProviderInput): z.input<typeof credentialPlacement> {
  const key = `{${GENERIC_API_KEY_FIELD}}`;
  switch (form.placement) {
    case "bearer":
      return { in: "header", name: "authorization", value: `Bearer ${key}` };
    case "header":
      return { in: "header", name: form.parameterName ?? "", value: `${form.prefix ?? ""}${key}` };
    case "query":
      return { in: "query", name: form.parameterName ?? "", value: key };
    case "basic":
      return { in: "basic", username: key, password: "" };
  }
}

/** A definition's field, back to the form field an admin filled in, so a refusal points at it. */
function genericApiKeyFormPath(path: readonly PropertyKey[], form: GenericApiKeyProviderInput): PropertyKey[] {
  const [top, sub, , leaf] = path;
  if (top === "apiHosts") return ["apiBaseUrl"];
  if (top !== "credential") return [...path];
  if (sub === "apply") {
    if (leaf === "value") return ["prefix"];
    return form.placement === "header" || form.placement === "query" ? ["parameterName"] : ["placement"];
  }
  if (sub === "fields") return [path[3] === "hint" ? "keyHint" : "keyPattern"];
  if (sub === "verify") return [path[2] === "idPath" ? "accountIdPath" : path[2] === "labelPath" ? "accountLabelPath" : "verifyPath"];
  if (sub === "lastFour") return ["showLastFour"];
  return [...path];
}

/**
 * The admin's form as a catalogue definition (kind `generic`, no refresh, the key sent only to the
 * base URL's host), checked by providerDefinition like every other definition. Issues name the form's
 * fields, so the handler's and the form's sentences are the same.
 */
export function genericApiKeyDefinition(input: unknown): { success: true; data: ProviderDefinition } | { success: false; issues: z.core.$ZodIssue[] } {
  const parsed = genericApiKeyProviderInput.safeParse(input);
  if (!parsed.success) return { success: false, issues: parsed.error.issues };
  const form = parsed.data;
  const definition = providerDefinition.safeParse({
    key: form.key,
    name: form.name,
    description: form.description || `${form.name}, added by an administrator.`,
    kind: "generic",
    credential: {
      type: "api_key",
      fields: [{ name: GENERIC_API_KEY_FIELD, label: "API key", secret: true, pattern: form.keyPattern, hint: form.keyHint }],
      apply: [genericApiKeyPlacement(form)],
      lastFour: form.showLastFour ? GENERIC_API_KEY_FIELD : undefined,
      verify: form.verifyPath ? { method: "GET", path: form.verifyPath, idPath: form.accountIdPath, labelPath: form.accountLabelPath } : undefined,
    },
    scopes: [GENERIC_API_KEY_SCOPE],
    apiBaseUrl: form.apiBaseUrl,
    // The key may only go to the host the admin named.
    apiHosts: [new URL(form.apiBaseUrl).host],
    supportsRefresh: false,
  });
  if (!definition.success) {
    return { success: false, issues: definition.error.issues.map((issue) => ({ ...issue, path: genericApiKeyFormPath(issue.path, form) })) };
  }
  return { success: true, data: definition.data };
}

export type ScopeDefinition = z.output<typeof scopeDefinition>;
export type ApiKeyCredential = z.output<typeof apiKeyCredential>;
export type CredentialPlacement = z.output<typeof credentialPlacement>;
export type MetadataStep = z.output<typeof metadataStep>;
export type AccountIdentity = z.output<typeof accountIdentity>;
export type ProviderDefinition = z.output<typeof providerDefinition>;
/** Authoring shape (defaults optional); built-ins are written in it and parsed at load. */
export type ProviderDefinitionInput = z.input<typeof providerDefinition>;
export type ProviderFileEntry = z.output<typeof providerFileEntry>;
export type ProvidersFile = z.output<typeof providersFile>;
export type GenericProviderInput = z.output<typeof genericProviderInput>;
export type GenericProviderFormValues = z.input<typeof genericProviderInput>;

/** The OAuth settings of an OAuth provider; a provider that takes a pasted credential has none. */
export type OAuthSettings = {
  authorizationUrl: string;
  tokenUrl: string;
  tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  accountIdentity: AccountIdentity;
};

export function oauthSettings(def: ProviderDefinition): OAuthSettings {
  const { authorizationUrl, tokenUrl, tokenAuthMethod, accountIdentity } = def;
  if (def.credential.type !== "oauth2" || !authorizationUrl || !tokenUrl || !tokenAuthMethod || !accountIdentity) {
    throw new Error(`${def.name} takes a pasted credential, not OAuth.`);
  }
  return { authorizationUrl, tokenUrl, tokenAuthMethod, accountIdentity };
}

/** The pasted-credential settings of a provider, or null for an OAuth provider. */
export function apiKeySettings(def: ProviderDefinition): ApiKeyCredential | null {
  return def.credential.type === "api_key" ? def.credential : null;
}
