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
import { aadForConnection } from "./aad";
import { echoNeedles, scrubBytes, scrubText } from "./echo-scrub";
import { isVaultCallError, VaultCallError } from "./errors";
import { getKeyRing } from "./keyring";
import { PROVIDER_TIMEOUT_MS } from "./oauth-client";
import { REFRESH_SKEW_MS, tokenFingerprint, tokenRefresher, type TokenRefresher } from "./refresh";
import { revealSecret } from "./secret";
import { openTokenSet, type OpenTokenSet } from "./token-set";

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
const DROPPED_REQUEST_HEADERS = ["authorization", "proxy-authorization", "cookie", "host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer", "expect", "accept-encoding"];
// Hop-by-hop, or no longer true once fetch has decoded the body and the scrub has changed its length.
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "trailer", "upgrade", "proxy-authenticate", "proxy-connection"]);
// Only encodings fetch decodes, so the scrub always sees plain bytes.
const ACCEPT_ENCODING = "gzip, deflate, br";

type ConnectionRow = { id: string; tenantId: string; userId: string; status: string; expiresAt: Date | null; encBlob: Uint8Array | null; lastError: string | null };

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

// One statement on every call: the ciphertext and the status are read fresh, never cached, so a
// refresh done by another instance or a disconnect is seen by the very next call.
const CONNECTION_FOR_CALL = `
SELECT "id", "tenantId", "userId", "status", "encBlob", "lastError", (extract(epoch from "expiresAt") * 1000)::float8 AS "expiresAtMs"
FROM "Connection" WHERE "id" = $1 AND "tenantId" = $2`;

async function loadConnection(req: ProviderCallRequest): Promise<ConnectionRow & { encBlob: Uint8Array }> {
  const sql = await getSql();
  const [raw] = await sql.query<Omit<ConnectionRow, "expiresAt"> & { expiresAtMs: number | null }>(CONNECTION_FOR_CALL, [req.connectionId, req.tenantId]);
  if (!raw) throw new VaultCallError("connection_not_found", "There is no such connection in this organisation.");
  const row: ConnectionRow = { ...raw, expiresAt: raw.expiresAtMs === null ? null : new Date(raw.expiresAtMs) };
  if (row.status === "revoked" || !row.encBlob) throw new VaultCallError("connection_revoked", "This connection was disconnected: its owner must connect the account again.");
  if (row.status === "needs_reconnect") throw new VaultCallError("connection_needs_reconnect", row.lastError ?? "This connection needs to be reconnected by its owner.");
  return { ...row, encBlob: row.encBlob };
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
function retryDelay(res: Response, retriesSoFar: number): number | null {
  const backoff = 200 * 2 ** retriesSoFar + Math.random() * 100;
  const header = res.headers.get("retry-after")?.trim();
  if (!header) return Math.min(backoff, MAX_RETRY_WAIT_MS);
  const asked = /^\d+$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(asked)) return Math.min(backoff, MAX_RETRY_WAIT_MS);
  if (asked > MAX_RETRY_WAIT_MS) return null;
  return Math.min(Math.max(asked, backoff), MAX_RETRY_WAIT_MS);
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

async function readBody(res: Response, limit: number): Promise<Buffer> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  const tooLarge = () => new VaultCallError("provider_response_too_large", `The provider's answer is larger than ${Math.round(limit / 1024 / 1024)} MiB, which the vault does not relay.`);
  if (declared > limit) {
    await discard(res);
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}

function transportError(e: unknown, timeoutMs: number): VaultCallError {
  if (e instanceof VaultCallError) return e;
  if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
    return new VaultCallError("provider_timeout", `The provider did not answer within ${Math.round(timeoutMs / 100) / 10} seconds.`);
  }
  return new VaultCallError("provider_unavailable", "The provider could not be reached.");
}

export async function callProvider(req: ProviderCallRequest, refresher: TokenRefresher = tokenRefresher()): Promise<ProviderCallResponse> {
  const url = checkUrl(req.url);
  const method = checkMethod(req.method);
  const timeoutMs = req.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  const limit = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = method === "GET" || method === "HEAD" ? undefined : (req.body ?? undefined);
  let row = await ensureUsable(req, await loadConnection(req), refresher);

  const held: OpenTokenSet[] = [];
  const open = (r: ConnectionRow & { encBlob: Uint8Array }) => {
    const set = openTokenSet(getKeyRing(), aadForConnection(r), r.encBlob);
    held.push(set);
    return set;
  };
  try {
    let set = open(row);
    let attempts = 0;
    let retries = 0;
    let retriedAfter401 = false;
    for (;;) {
      attempts += 1;
      const headers = new Headers(req.headers);
      for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
      headers.set("accept-encoding", ACCEPT_ENCODING);
      headers.set("authorization", set.accessToken.authorizationHeader("Bearer"));
      const signal = AbortSignal.timeout(timeoutMs);
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body as BodyInit | undefined, redirect: "manual", signal });
      } catch (e) {
        throw transportError(e, timeoutMs);
      }

      if (res.status === 401 && !retriedAfter401) {
        // Once: refresh unless another caller already replaced this very token, then try again.
        retriedAfter401 = true;
        await discard(res);
        await refresher.ensureFresh(row.id, { kind: "rejected", fingerprint: tokenFingerprint(set.accessToken) }, "provider_rejected_token");
        row = await loadConnection(req);
        set = open(row);
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && IDEMPOTENT.has(method) && retries < MAX_RETRIES) {
        const wait = retryDelay(res, retries);
        if (wait !== null) {
          retries += 1;
          await discard(res);
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
      }

      let raw: Buffer;
      try {
        raw = await readBody(res, limit);
      } catch (e) {
        throw transportError(e, timeoutMs);
      }
      // Every token this call held, old and refreshed: an echo of any of them must not leave.
      const needles = echoNeedles(held.flatMap((s) => [revealSecret(s.accessToken), ...(s.refreshToken ? [revealSecret(s.refreshToken)] : [])]));
      const out: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        if (DROPPED_RESPONSE_HEADERS.has(name)) return;
        const clean = scrubText(value, needles);
        out[name] = name in out ? `${out[name]}, ${clean}` : clean;
      });
      return { status: res.status, headers: out, body: scrubBytes(raw, needles), attempts, retriedAfter401 };
    }
  } finally {
    for (const s of held) s.dispose();
  }
}
