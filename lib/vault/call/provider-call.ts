import "server-only";
// One authenticated HTTP call to a provider on behalf of a connection. The token set is decrypted
// here, for this call only, and every Secret is disposed before the function returns. The caller
// (the proxy, a tool) has already decided the call is allowed and that `url` belongs to the provider
// (resolveApiBase + isAllowedApiHost); this module only refuses URLs no credential may ever go to.
//
// Redirects are never followed: a 3xx is handed back as is. Following it would mean either sending
// the provider's token to wherever the Location points (another origin, or plain http), or silently
// dropping it and calling a URL nobody checked. The caller may validate the Location and make a new
// call through the same checks as the first one.
import { getSql } from "@/lib/db";
import { isLoopbackUrl } from "@/lib/net/loopback";
import { log } from "@/lib/log";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { echoNeedles, scrubBytes, scrubText } from "@/lib/vault/call/echo-scrub";
import { isVaultCallError, VaultCallError } from "@/lib/vault/call/errors";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { PROVIDER_TIMEOUT_MS } from "@/lib/vault/provider-oauth/client";
import { REFRESH_SKEW_MS, tokenFingerprint, tokenRefresher, type TokenRefresher } from "@/lib/vault/refresh/refresher";
import { revealSecret } from "@/lib/vault/crypto/secret";
import { openCredential, type OpenCredential } from "@/lib/vault/crypto/token-set";
import { applyCredential, secretValues } from "@/lib/vault/call/apply-credential";
import { sendUpstream, UpstreamTimeoutError, type UpstreamAnswer } from "@/lib/vault/call/upstream";

export type ProviderCallRequest = {
  tenantId: string;
  connectionId: string;
  method: string;
  /** Absolute and already validated by the caller against the provider's API hosts. */
  url: string | URL;
  headers?: HeadersInit;
  /** Ignored for GET and HEAD. */
  body?: string | Uint8Array | null;
  /** Per attempt, covering the response body too. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** The connection's row, read ahead (prefetchConnection) while the caller recorded its decision. */
  prefetched?: ConnectionPrefetch;
};

/**
 * A connection's row being read ahead of the call (or this process's copy of it); opaque outside this
 * module, which alone touches the ciphertext. `version` is its credential version, or null when the
 * row cannot be used (callProvider then says why, after the decision).
 */
export type ConnectionPrefetch = {
  readonly connectionId: string;
  readonly tenantId: string;
  readonly row: Promise<unknown>;
  readonly version: Promise<number | null>;
};

export type ProviderCallResponse = {
  status: number;
  /** Lower-case names; hop-by-hop and body-framing headers removed; echoes of a credential replaced. */
  headers: Record<string, string>;
  body: Buffer;
  /** HTTP requests made (1 + a retry after a 401 + retries after 429/502/503/504). */
  attempts: number;
  /** Whether the provider refused the token once and the call was retried with a refreshed one. */
  retriedAfter401: boolean;
};

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 2_000;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
// The vault sets these itself, or they describe a hop rather than the request: a caller can never
// smuggle its own credential or a second request through them.
const DROPPED_REQUEST_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "accept-encoding",
];
// Hop-by-hop, or no longer true once the body is decoded and the scrub has changed its length.
const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "proxy-connection",
]);
// Only encodings lib/vault/call/upstream.ts decodes, so the scrub always sees plain bytes.
const ACCEPT_ENCODING = "gzip, deflate, br";

type ConnectionRow = {
  id: string;
  tenantId: string;
  userId: string;
  status: string;
  expiresAt: Date | null;
  encBlob: Uint8Array | null;
  lastError: string | null;
  credentialVersion: number;
};

function checkUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(raw));
  } catch {
    throw new VaultCallError("invalid_upstream_url", "The provider address is not an absolute URL.");
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && isLoopbackUrl(url));
  if (!secure) throw new VaultCallError("invalid_upstream_url", "The vault sends credentials only over https (plain http only to this machine).");
  if (url.username || url.password) throw new VaultCallError("invalid_upstream_url", "The provider address must not carry a user name or password.");
  url.hash = "";
  return url;
}

function checkMethod(raw: string): string {
  const method = raw.toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(method) || ["CONNECT", "TRACE", "TRACK"].includes(method)) {
    throw new VaultCallError("invalid_upstream_url", `"${raw.slice(0, 20)}" is not an HTTP method the vault will use.`);
  }
  return method;
}

// The connection's row (ciphertext, status, expiry) as last read by this process, with its credential
// version (a trigger moves it whenever the token set, expiry or status changes). An action uses the
// copy only because its write-ahead record is accepted only while that version is still the row's
// (lib/audit/writer.ts): a refresh or a disconnect committed anywhere sends the action back to read
// the row again. Ciphertext only: nothing here is ever decrypted outside one call.
const CONNECTION_FOR_CALL = `
SELECT "id", "tenantId", "userId", "status", "encBlob", "lastError", "credentialVersion", (extract(epoch from "expiresAt") * 1000)::float8 AS "expiresAtMs"
FROM "Connection" WHERE "id" = $1 AND "tenantId" = $2`;

const MAX_HELD_ROWS = 10_000;
const heldRows = ((globalThis as unknown as { __vaultConnectionRows?: Map<string, ConnectionRow> }).__vaultConnectionRows ??= new Map<string, ConnectionRow>());

/** Forgets this process's copy of a connection's row (it changed: the next call reads it again). */
export function forgetConnectionRow(connectionId: string): void {
  heldRows.delete(connectionId);
}

function usableRow(row: ConnectionRow): ConnectionRow & { encBlob: Uint8Array } {
  if (row.status === "revoked" || !row.encBlob)
    throw new VaultCallError("connection_revoked", "This connection was disconnected: its owner must connect the account again.");
  if (row.status === "needs_reconnect")
    throw new VaultCallError("connection_needs_reconnect", row.lastError ?? "This connection needs to be reconnected by its owner.");
  return { ...row, encBlob: row.encBlob };
}

async function loadConnection(req: Pick<ProviderCallRequest, "tenantId" | "connectionId">): Promise<ConnectionRow & { encBlob: Uint8Array }> {
  const sql = await getSql();
  const [raw] = await sql.query<Omit<ConnectionRow, "expiresAt"> & { expiresAtMs: number | null }>(CONNECTION_FOR_CALL, [req.connectionId, req.tenantId]);
  if (!raw) {
    heldRows.delete(req.connectionId);
    throw new VaultCallError("connection_not_found", "There is no such connection in this organisation.");
  }
  const { expiresAtMs, ...rest } = raw;
  const row: ConnectionRow = { ...rest, credentialVersion: Number(raw.credentialVersion), expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs) };
  heldRows.delete(row.id);
  const usable = usableRow(row);
  // Only a usable row is kept: a refusal is always decided on the row as it is now.
  if (heldRows.size >= MAX_HELD_ROWS) heldRows.clear();
  heldRows.set(row.id, row);
  return usable;
}

/** Refreshes ahead of the call when the token is (nearly) expired; a still-valid token survives a provider outage. */
async function ensureUsable(req: ProviderCallRequest, row: ConnectionRow & { encBlob: Uint8Array }, refresher: TokenRefresher) {
  if (row.expiresAt === null || row.expiresAt.getTime() - Date.now() >= REFRESH_SKEW_MS) return row;
  try {
    await refresher.ensureFresh(row.id, { kind: "expiring", withinMs: REFRESH_SKEW_MS }, "on_demand");
  } catch (e) {
    if (isVaultCallError(e, "provider_unavailable") && row.expiresAt.getTime() > Date.now() + 1_000) {
      log.warn({ connection: row.id }, "refresh failed; calling with the access token that is still valid");
      return row;
    }
    throw e;
  }
  return loadConnection(req);
}

/** null: do not retry (the provider asked for a longer pause than the vault will hold a request for). */
function retryDelay(res: UpstreamAnswer, retriesSoFar: number): number | null {
  const backoff = 200 * 2 ** retriesSoFar + Math.random() * 100;
  const header = res.headers.find(([name]) => name === "retry-after")?.[1].trim();
  if (!header) return Math.min(backoff, MAX_RETRY_WAIT_MS);
  const asked = /^\d+$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(asked)) return Math.min(backoff, MAX_RETRY_WAIT_MS);
  if (asked > MAX_RETRY_WAIT_MS) return null;
  return Math.min(Math.max(asked, backoff), MAX_RETRY_WAIT_MS);
}

function transportError(e: unknown, timeoutMs: number): VaultCallError {
  if (e instanceof VaultCallError) return e;
  if (e instanceof UpstreamTimeoutError) {
    return new VaultCallError("provider_timeout", `The provider did not answer within ${Math.round(timeoutMs / 100) / 10} seconds.`);
  }
  return new VaultCallError("provider_unavailable", "The provider could not be reached.");
}

/**
 * The connection's row for an action: this process's copy, or a read started now so the action can
 * prepare its decision meanwhile. Nothing is decrypted until callProvider runs; an unused prefetch
 * is simply dropped. The action names `version` in its write-ahead record.
 */
export function prefetchConnection(tenantId: string, connectionId: string): ConnectionPrefetch {
  const held = heldRows.get(connectionId);
  const row = held && held.tenantId === tenantId ? Promise.resolve(usableRow(held)) : loadConnection({ tenantId, connectionId });
  // Read later, or never (a refused action): no unhandled rejection either way.
  row.catch(() => undefined);
  return {
    tenantId,
    connectionId,
    row,
    version: row.then(
      (r) => r.credentialVersion,
      () => null,
    ),
  };
}

export async function callProvider(req: ProviderCallRequest, refresher: TokenRefresher = tokenRefresher()): Promise<ProviderCallResponse> {
  const url = checkUrl(req.url);
  const method = checkMethod(req.method);
  const timeoutMs = req.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const limit = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = method === "GET" || method === "HEAD" ? undefined : (req.body ?? undefined);
  // Without a prefetch (and so without a write-ahead record naming its version) the row is read now.
  const ahead =
    req.prefetched && req.prefetched.connectionId === req.connectionId && req.prefetched.tenantId === req.tenantId
      ? (req.prefetched.row as ReturnType<typeof loadConnection>)
      : null;
  let row = await ensureUsable(req, await (ahead ?? loadConnection(req)), refresher);

  const held: OpenCredential[] = [];
  const open = (r: ConnectionRow & { encBlob: Uint8Array }) => {
    const credential = openCredential(getKeyRing(), aadForConnection(r), r.encBlob);
    held.push(credential);
    return credential;
  };
  try {
    let credential = open(row);
    let attempts = 0;
    let retries = 0;
    let retriedAfter401 = false;
    for (;;) {
      attempts += 1;
      // Through Headers first: names lower-cased, values checked, as any caller's headers must be.
      const headers = new Headers(req.headers);
      for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
      headers.set("accept-encoding", ACCEPT_ENCODING);
      // A pasted credential goes where its provider wants it (a header, the query, basic auth); OAuth is a bearer token.
      const target = new URL(url);
      if (credential.kind === "api_key") applyCredential(credential.key.apply, credential.key.fields, headers, target);
      else headers.set("authorization", credential.tokens.accessToken.authorizationHeader("Bearer"));
      let res: UpstreamAnswer;
      try {
        res = await sendUpstream(target, { method, headers: Object.fromEntries(headers), body, timeoutMs });
      } catch (e) {
        throw transportError(e, timeoutMs);
      }

      if (res.status === 401 && !retriedAfter401 && credential.kind === "oauth2") {
        // Once: refresh unless another caller already replaced this very token, then try again.
        // A pasted credential is not refreshed: the provider's 401 goes back to the caller as is.
        retriedAfter401 = true;
        res.discard();
        await refresher.ensureFresh(row.id, { kind: "rejected", fingerprint: tokenFingerprint(credential.tokens.accessToken) }, "provider_rejected_token");
        row = await loadConnection(req);
        credential = open(row);
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && IDEMPOTENT.has(method) && retries < MAX_RETRIES) {
        const wait = retryDelay(res, retries);
        if (wait !== null) {
          retries += 1;
          res.discard();
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
      }

      let raw: Buffer;
      try {
        raw = await res.read(limit);
      } catch (e) {
        throw transportError(e, timeoutMs);
      }
      // Every credential this call held, old and refreshed: an echo of any of them must not leave.
      const needles = echoNeedles(
        held.flatMap((c) =>
          c.kind === "api_key"
            ? secretValues(c.key.fields, c.key.secret)
            : [revealSecret(c.tokens.accessToken), ...(c.tokens.refreshToken ? [revealSecret(c.tokens.refreshToken)] : [])],
        ),
      );
      const out: Record<string, string> = {};
      for (const [name, value] of res.headers) {
        if (DROPPED_RESPONSE_HEADERS.has(name)) continue;
        const clean = scrubText(value, needles);
        out[name] = name in out ? `${out[name]}, ${clean}` : clean;
      }
      return { status: res.status, headers: out, body: scrubBytes(raw, needles), attempts, retriedAfter401 };
    }
  } finally {
    for (const c of held) (c.kind === "api_key" ? c.key : c.tokens).dispose();
  }
}
