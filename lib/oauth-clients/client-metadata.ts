// Client metadata (RFC 7591 §2) as the vault accepts it, from a registration request or from a
// Client ID Metadata Document: the same fields, the same checks, one reading. Unknown fields are
// ignored (RFC 7591 §2); known ones must be what they say. A refusal is a RegistrationError with the
// RFC 7591 code (invalid_redirect_uri for the redirect URIs, invalid_client_metadata otherwise) and
// a sentence naming the field. Pure: touches nothing.
import { z } from "zod";

import { RegistrationError } from "./errors";
import { MAX_REDIRECT_URIS, nativeByRedirects, redirectUriProblem } from "./redirect-uris";

export const PUBLIC_AUTH_METHOD = "none";
export const SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"] as const;
export type ClientAuthMethod = typeof PUBLIC_AUTH_METHOD | (typeof SECRET_AUTH_METHODS)[number];
export const GRANT_TYPES = ["authorization_code", "refresh_token"] as const;

export type ClientMetadata = {
  redirectUris: string[];
  name: string | null;
  clientUri: string | null;
  logoUri: string | null;
  authMethod: ClientAuthMethod;
  grantTypes: string[];
  responseTypes: string[];
  applicationType: "web" | "native";
  native: boolean;
};

const MAX_NAME = 100;
const MAX_URL = 2000;

function httpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && !!url.hostname && !url.username && !url.password;
  } catch {
    return false;
  }
}

const stringList = z.array(z.string()).max(20);
const fields = z.object({
  redirect_uris: z.unknown(),
  client_name: z.string().trim().min(1).max(MAX_NAME, `must be at most ${MAX_NAME} characters`).optional(),
  client_uri: z.string().max(MAX_URL).refine(httpsUrl, "must be an https URL").optional(),
  logo_uri: z.string().max(MAX_URL).refine(httpsUrl, "must be an https URL").optional(),
  token_endpoint_auth_method: z.string().max(100).optional(),
  grant_types: stringList.optional(),
  response_types: stringList.optional(),
  application_type: z.enum(["web", "native"], { error: 'must be "web" or "native"' }).optional(),
});

function metadataError(sentence: string): RegistrationError {
  return new RegistrationError("invalid_client_metadata", sentence);
}

function readRedirectUris(value: unknown): string[] {
  if (value === undefined) throw new RegistrationError("invalid_redirect_uri", "redirect_uris is missing: list the URIs the authorization response may go to.");
  if (!Array.isArray(value) || value.length === 0) throw new RegistrationError("invalid_redirect_uri", "redirect_uris must be a non-empty list of URIs.");
  if (value.length > MAX_REDIRECT_URIS) throw new RegistrationError("invalid_redirect_uri", `redirect_uris may hold at most ${MAX_REDIRECT_URIS} URIs.`);
  for (const [i, uri] of value.entries()) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new RegistrationError("invalid_redirect_uri", `redirect_uris[${i}] ${problem}.`);
  }
  return [...new Set(value as string[])];
}

function readAuthMethod(value: string | undefined, source: "registration" | "document"): ClientAuthMethod {
  // RFC 7591 §2: a registration that names no method asks for client_secret_basic; a metadata document cannot hold a secret.
  const method = value ?? (source === "registration" ? "client_secret_basic" : PUBLIC_AUTH_METHOD);
  if (method === "private_key_jwt") {
    throw metadataError(
      'token_endpoint_auth_method "private_key_jwt" is not supported for clients people connect: use "none" (a public client with PKCE)' +
        (source === "registration" ? ', or register for "client_secret_basic" or "client_secret_post".' : "."),
    );
  }
  if (source === "document" && method !== PUBLIC_AUTH_METHOD) {
    throw metadataError(`token_endpoint_auth_method must be "none" in a client ID metadata document, which cannot hold a secret (got "${method}").`);
  }
  if (method !== PUBLIC_AUTH_METHOD && !(SECRET_AUTH_METHODS as readonly string[]).includes(method)) {
    throw metadataError(`token_endpoint_auth_method "${method}" is not supported: use "none", "client_secret_basic" or "client_secret_post".`);
  }
  return method as ClientAuthMethod;
}

function readGrants(grantTypes: string[] | undefined, responseTypes: string[] | undefined): { grantTypes: string[]; responseTypes: string[] } {
  const grants = [...new Set(grantTypes ?? ["authorization_code"])];
  const other = grants.find((g) => !(GRANT_TYPES as readonly string[]).includes(g));
  if (other) throw metadataError(`grant_types may hold only "authorization_code" and "refresh_token" (got "${other}").`);
  if (!grants.includes("authorization_code")) throw metadataError('grant_types must include "authorization_code": people connect clients by authorizing them.');
  const responses = [...new Set(responseTypes ?? ["code"])];
  if (responses.length !== 1 || responses[0] !== "code") throw metadataError('response_types may hold only "code".');
  return { grantTypes: grants, responseTypes: responses };
}

/** Reads client metadata; throws a RegistrationError saying what to fix. */
export function readClientMetadata(input: unknown, source: "registration" | "document"): ClientMetadata {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw metadataError("The client metadata must be a JSON object.");
  const raw = input as Record<string, unknown>;
  if (source === "document" && (raw.client_secret !== undefined || raw.client_secret_expires_at !== undefined)) {
    throw metadataError("A client ID metadata document must not contain a client_secret: it is public.");
  }
  const redirectUris = readRedirectUris(raw.redirect_uris);
  const parsed = fields.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    const text = issue.code === "invalid_type" ? `must be ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}` : issue.message;
    throw metadataError(`${field} ${text}.`);
  }
  const m = parsed.data;
  const applicationType = m.application_type ?? (nativeByRedirects(redirectUris) ? "native" : "web");
  return {
    redirectUris,
    name: m.client_name ?? null,
    clientUri: m.client_uri ?? null,
    logoUri: m.logo_uri ?? null,
    authMethod: readAuthMethod(m.token_endpoint_auth_method, source),
    ...readGrants(m.grant_types, m.response_types),
    applicationType,
    native: applicationType === "native" || nativeByRedirects(redirectUris),
  };
}
