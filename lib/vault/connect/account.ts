import "server-only";
// After the code exchange: who the account is at the provider (id + label) and the metadata later
// calls need (Atlassian cloud_id, Salesforce instance_url...). Identity and metadata calls carry the
// fresh access token, so they never follow redirects and only go to https (or loopback) URLs.
import type * as oauth from "oauth4webapi";
import { readJsonPath } from "@/lib/providers/api-base";
import { oauthSettings, type ProviderDefinition } from "@/lib/providers/schemas";
import { ConnectError } from "@/lib/vault/connect/errors";
import { PROVIDER_TIMEOUT_MS } from "@/lib/vault/provider-oauth/client";
import { Secret } from "@/lib/vault/crypto/secret";

export type Account = { accountId: string; label: string; metadata: Record<string, unknown> };

async function getJson(def: ProviderDefinition, token: Secret, url: string, method: "GET" | "POST" = "GET", body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    redirect: "manual",
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    headers: { authorization: token.authorizationHeader(), accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new ConnectError("identity_failed", `${def.name} refused to say which account this is (${res.status}).`, def.key);
  return res.json();
}

export async function fetchAccount(def: ProviderDefinition, tokens: oauth.TokenEndpointResponse): Promise<Account> {
  const token = new Secret(tokens.access_token);
  try {
    const identity = oauthSettings(def).accountIdentity;
    const source = identity.source === "token" ? tokens : await getJson(def, token, identity.url!, identity.method, identity.body);
    const id = readJsonPath(source, identity.idPath);
    const label = readJsonPath(source, identity.labelPath);
    if (id === undefined || id === null || String(id).length === 0) {
      throw new ConnectError("identity_failed", `${def.name} did not say which account this is.`, def.key);
    }
    const metadata: Record<string, unknown> = {};
    for (const step of def.metadataSteps) {
      const doc = step.source === "token" ? tokens : await getJson(def, token, step.url);
      for (const [key, path] of Object.entries(step.pick)) {
        const value = readJsonPath(doc, path);
        if (value !== undefined) metadata[key] = value;
      }
    }
    return { accountId: String(id).slice(0, 200), label: String(label ?? id).slice(0, 200), metadata };
  } catch (e) {
    if (e instanceof ConnectError) throw e;
    throw new ConnectError("identity_failed", `${def.name} could not be asked which account this is.`, def.key);
  } finally {
    token.dispose();
  }
}
