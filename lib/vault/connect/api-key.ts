import "server-only";
// Connecting with a credential the person pastes (an API key; an account SID and auth token) instead
// of OAuth. The fields are checked against the provider's format, optionally tried with one harmless
// call, then sealed exactly like a token set: encrypted, bound to the connection row, never shown
// again. The portal keeps only a fingerprint and, where the provider's format allows, the last four
// characters. Nothing is written unless everything succeeded; replacing a key keeps the connection
// (and so its delegations), removing it is the ordinary disconnect.
import { randomUUID } from "node:crypto";

import { appendAudit } from "@/lib/audit/append";
import type { CredentialSummary } from "@/lib/connections/schemas";
import { nextStatus } from "@/lib/connections/lifecycle";
import { observeGrant } from "@/lib/containment/detectors";
import { getDb } from "@/lib/db";
import { BadRequestError, ConflictError, NotFoundError, VaultError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { ApiBaseError, readJsonPath, resolveApiBase, underApiBase } from "@/lib/providers/api-base";
import { getTenantProvider } from "@/lib/providers/registry";
import { apiKeySettings, type ApiKeyCredential, type ProviderDefinition } from "@/lib/providers/schemas";
import type { Person } from "@/lib/tenancy/people";
import { applyCredential } from "@/lib/vault/call/apply-credential";
import { forgetConnectionRow } from "@/lib/vault/call/provider-call";
import { sendUpstream, UpstreamTimeoutError } from "@/lib/vault/call/upstream";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { credentialFingerprint } from "@/lib/vault/crypto/fingerprint";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { Secret } from "@/lib/vault/crypto/secret";
import { sealKeySet } from "@/lib/vault/crypto/token-set";
import { PROVIDER_TIMEOUT_MS } from "@/lib/vault/provider-oauth/client";

const MAX_FIELD_LENGTH = 4096;
const MAX_VERIFY_BYTES = 1024 * 1024;

export type StoreApiKeyInput = {
  person: Person;
  providerKey: string;
  /** Field name to the value pasted; never logged, never echoed in an error. */
  fields: Record<string, string>;
  /** The person's own name for this key (otherwise the provider's account name, or the key's last four). */
  label?: string;
  /** Replace the key of this connection (one of the person's, for the same provider) instead of adding one. */
  replace?: string;
  /** Try the key with the provider's harmless call before storing it (default: when the provider has one). */
  verify?: boolean;
};

export type StoredApiKey = { id: string; reconnected: boolean; verified: boolean };

function checkFields(def: ProviderDefinition, credential: ApiKeyCredential, given: Record<string, string>): Record<string, string> {
  const known = new Set(credential.fields.map((f) => f.name));
  const unknown = Object.keys(given).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `${def.name} does not take ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(", ")}: it takes ${[...known].join(", ")}.`,
      "unknown_field",
    );
  }
  const fields: Record<string, string> = {};
  for (const field of credential.fields) {
    const value = (given[field.name] ?? "").trim();
    if (!value) throw new BadRequestError(`Paste the ${field.label} of your ${def.name} account.`, "missing_field");
    if (value.length > MAX_FIELD_LENGTH) throw new BadRequestError(`The ${field.label} is longer than ${MAX_FIELD_LENGTH} characters.`, "invalid_field");
    if (/[\s\0]/.test(value)) throw new BadRequestError(`The ${field.label} contains a space or a line break: paste the value alone.`, "invalid_field");
    if (field.pattern && !new RegExp(field.pattern).test(value)) {
      const looks = field.hint ? ` (it looks like ${field.hint})` : "";
      throw new BadRequestError(`This ${field.label} is not in ${def.name}'s format${looks}: check that you pasted the whole value.`, "invalid_field");
    }
    fields[field.name] = value;
  }
  return fields;
}

function publicFields(credential: ApiKeyCredential, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(credential.fields.filter((f) => !f.secret).map((f) => [f.name, fields[f.name]!]));
}

function apiBaseFor(def: ProviderDefinition, metadata: Record<string, unknown>): URL {
  try {
    return resolveApiBase(def, metadata);
  } catch (e) {
    if (e instanceof ApiBaseError) throw new BadRequestError(e.message, "api_base_unavailable");
    throw e;
  }
}

/** One harmless call with the pasted credential; the answer may name the account. */
async function verifyCredential(def: ProviderDefinition, credential: ApiKeyCredential, fields: Record<string, string>, base: URL): Promise<unknown> {
  const verify = credential.verify!;
  const joined = underApiBase(def, base, verify.path);
  if ("leaves" in joined) {
    const where = joined.leaves === "host" ? "away from its API host" : "outside its API base";
    throw new VaultError(500, "provider_misconfigured", `${def.name}'s key check leads ${where}: check the provider definition.`);
  }
  const { url } = joined;
  const secrets = new Map(Object.entries(fields).map(([name, value]) => [name, new Secret(value)] as const));
  try {
    const headers = new Headers({ accept: "application/json" });
    applyCredential(credential.apply, secrets, headers, url);
    let res;
    try {
      res = await sendUpstream(url, { method: verify.method, headers: Object.fromEntries(headers), timeoutMs: PROVIDER_TIMEOUT_MS });
    } catch (e) {
      if (e instanceof UpstreamTimeoutError) throw new VaultError(504, "provider_timeout", `${def.name} did not answer the key check in time: try again.`);
      throw new VaultError(502, "provider_unavailable", `${def.name} could not be reached to check the key: try again, or store it without checking.`);
    }
    if (res.status === 401 || res.status === 403) {
      res.discard();
      throw new BadRequestError(
        `${def.name} refused this key (${res.status}): check that you pasted the whole key, that it is still active and that it may read ${verify.path}.`,
        "credential_rejected",
      );
    }
    if (res.status < 200 || res.status >= 300) {
      res.discard();
      throw new VaultError(502, "provider_error", `${def.name} answered the key check with ${res.status}: try again, or store the key without checking.`, {
        providerStatus: res.status,
      });
    }
    if (!verify.idPath && !verify.labelPath) {
      res.discard();
      return null;
    }
    try {
      return JSON.parse((await res.read(MAX_VERIFY_BYTES)).toString("utf8")) as unknown;
    } catch {
      return null;
    }
  } finally {
    for (const s of secrets.values()) s.dispose();
  }
}

function text(value: unknown): string | null {
  return (typeof value === "string" || typeof value === "number") && String(value).length > 0 ? String(value).slice(0, 200) : null;
}

export async function storeApiKey(input: StoreApiKeyInput): Promise<StoredApiKey> {
  const { person } = input;
  const provider = await getTenantProvider(person.tenantId, input.providerKey);
  if (!provider) throw new NotFoundError(`There is no provider "${input.providerKey.slice(0, 64)}" in this organisation's catalogue.`, "unknown_provider");
  const def = provider.definition;
  const credential = apiKeySettings(def);
  if (!credential) throw new BadRequestError(`${def.name} connects with OAuth: use Connect instead of pasting a key.`, "not_api_key_provider");

  const fields = checkFields(def, credential, input.fields);
  const visible = publicFields(credential, fields);
  const base = apiBaseFor(def, visible);
  const wantVerify = input.verify ?? Boolean(credential.verify);
  if (wantVerify && !credential.verify) throw new BadRequestError(`${def.name} has no key check: store the key without checking.`, "verify_unavailable");
  const answer = wantVerify ? await verifyCredential(def, credential, fields, base) : null;

  const ring = getKeyRing();
  const fingerprint = credentialFingerprint(ring, person.tenantId, fields);
  const lastFourOf = credential.lastFour ? fields[credential.lastFour]!.slice(-4) : null;
  const verifiedId = credential.verify?.idPath ? text(readJsonPath(answer, credential.verify.idPath)) : null;
  const verifiedLabel = credential.verify?.labelPath ? text(readJsonPath(answer, credential.verify.labelPath)) : null;
  const accountId = (credential.accountField ? fields[credential.accountField] : null) ?? verifiedId ?? `key-${fingerprint}`;
  const defaultLabel = lastFourOf ? `${def.name} key ending ${lastFourOf}` : `${def.name} key ${fingerprint.slice(0, 9)}`;
  const summary: CredentialSummary = { type: "api_key", fingerprint, lastFour: lastFourOf, verified: wantVerify };
  const scopes = def.scopes.map((s) => s.name);
  const db = await getDb();

  const stored = await db.$transaction(async (tx) => {
    const owner = { tenantId: person.tenantId, userId: person.id, providerKey: def.key };
    // The same account (the provider named it), or the same key pasted again without a check, is the same connection.
    const same =
      (await tx.connection.findUnique({
        where: { tenantId_userId_providerKey_accountId: { ...owner, accountId } },
        select: { id: true, accountId: true, label: true },
      })) ??
      (await tx.connection.findFirst({
        where: { ...owner, metadata: { path: ["credential", "fingerprint"], equals: fingerprint } },
        select: { id: true, accountId: true, label: true },
      }));
    let id: string;
    let kept = same;
    if (input.replace) {
      const target = await tx.connection.findFirst({
        where: { id: input.replace, tenantId: person.tenantId, userId: person.id },
        select: { id: true, providerKey: true, accountId: true, label: true },
      });
      if (!target) throw new NotFoundError("There is no such connection among yours.");
      if (target.providerKey !== def.key)
        throw new BadRequestError(`That connection is not a ${def.name} connection: its key cannot be replaced by a ${def.name} key.`);
      if (same && same.id !== target.id) {
        throw new ConflictError(`This key belongs to the account of another of your ${def.name} connections: replace that one's key, or remove it first.`);
      }
      id = target.id;
      kept = target;
    } else {
      id = same?.id ?? randomUUID();
    }
    const { blob, keyVersion } = sealKeySet(ring, aadForConnection({ id, tenantId: person.tenantId, userId: person.id }), {
      fields,
      secret: credential.fields.filter((f) => f.secret).map((f) => f.name),
      apply: credential.apply,
    });
    // A key the provider did not name keeps the account and the name its connection already had.
    const key = { ...owner, accountId: !verifiedId && !credential.accountField && kept ? kept.accountId : accountId };
    const label = input.label?.trim() || kept?.label || verifiedLabel || defaultLabel;
    const data = {
      label,
      status: nextStatus("active", { kind: "connected" }),
      scopes,
      metadata: { ...visible, credential: summary } as Prisma.InputJsonObject,
      encBlob: blob,
      keyVersion,
      expiresAt: null,
      reconnectBy: null,
      lastRefreshedAt: null,
      failureCount: 0,
      lastError: null,
      revokedAt: null,
    };
    const existed = input.replace !== undefined || same !== null;
    if (existed) await tx.connection.update({ where: { id }, data: { ...data, accountId: key.accountId } });
    else await tx.connection.create({ data: { id, ...key, ...data } });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      actorArn: person.arn,
      action: existed ? "connection.reconnect" : "connection.connect",
      outcome: "success",
      target: id,
      details: { provider: def.key, account: label, scopes, credential: "api_key", fingerprint, verified: summary.verified, replaced: Boolean(input.replace) },
    });
    return { id, reconnected: existed, label };
  });
  forgetConnectionRow(stored.id);
  log.info({ provider: def.key, connection: stored.id, fingerprint, verified: summary.verified }, "pasted credential stored");
  await observeGrant({ tenantId: person.tenantId, what: "connection", id: stored.id, agentId: null, connectionId: stored.id, scopes });
  return { id: stored.id, reconnected: stored.reconnected, verified: summary.verified };
}
