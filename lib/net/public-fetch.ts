import "server-only";
// One request to a URL someone outside handed the vault (a client's metadata document, a webhook), safe against
// server-side request forgery: https only (plain http to this machine in demo mode), the host
// resolved once with dns.lookup({ all: true }) and refused when any address it has is not public
// (lib/net/public-address.ts), then the connection made to exactly the address that was checked, so
// the name cannot resolve differently in between (no second lookup, no DNS rebinding). Redirects are
// never followed; the answer is refused past a size limit (reading stops there) and the whole
// exchange, the lookup included, has one time limit. No cookies, no credentials, no proxy.
// Touches the network only; knows nothing of clients or tenants.
import dns, { type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";

import { isLoopbackHost } from "./loopback";
import { addressAllowed } from "./public-address";

export type PublicFetchOptions = {
  /** Demo mode: loopback addresses (and plain http to them) are allowed, so tests and local clients can serve documents. */
  allowLoopback: boolean;
  timeoutMs: number;
  maxBytes: number;
  accept: string;
  /** GET unless said otherwise; a webhook delivery POSTs its body with its own headers. */
  method?: "GET" | "POST";
  body?: string;
  headers?: Readonly<Record<string, string>>;
};

export type PublicFetchAnswer = { status: number; headers: Record<string, string>; body: Buffer };

export type PublicFetchFailure = "url" | "address" | "dns" | "timeout" | "too_large" | "encoding" | "network";

/** The fetch was refused or failed; the message is a clause ("it is larger than 5 KB") for the caller's sentence. */
export class PublicFetchError extends Error {
  constructor(
    readonly reason: PublicFetchFailure,
    clause: string,
  ) {
    super(clause);
    this.name = "PublicFetchError";
  }
}

function bare(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** Whether the URL may be fetched at all, before any lookup: a clause saying why not, or null. */
export function publicUrlProblem(url: URL, opts: Pick<PublicFetchOptions, "allowLoopback">): string | null {
  if (url.username || url.password) return "its address must not carry a user name or password";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && opts.allowLoopback && isLoopbackHost(url.hostname)) return null;
  return opts.allowLoopback ? "its address must be https, or http on this machine (demo mode)" : "its address must be https";
}

async function checkedAddress(
  url: URL,
  opts: Pick<PublicFetchOptions, "allowLoopback" | "timeoutMs">,
  signal: AbortSignal,
): Promise<{ address: string; family: 4 | 6 }> {
  const host = bare(url.hostname);
  const literal = isIP(host);
  const addresses: LookupAddress[] = literal
    ? [{ address: host, family: literal }]
    : await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => {
        if (signal.aborted) throw new PublicFetchError("timeout", `it did not answer within ${opts.timeoutMs / 1000} seconds`);
        throw new PublicFetchError("dns", `the host ${host} could not be found`);
      });
  if (addresses.length === 0) throw new PublicFetchError("dns", `the host ${host} could not be found`);
  // Every address must be public: a name that also points inside is refused, whichever address a connection would pick.
  const refused = addresses.find((a) => !addressAllowed(a.address, opts));
  if (refused) {
    throw new PublicFetchError(
      "address",
      literal
        ? `${host} is a private or local address, which the vault never fetches`
        : `${host} resolves to a private or local address, which the vault never fetches`,
    );
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

function readLimited(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Settled before the socket goes: destroying it emits "aborted" at once.
        reject(new PublicFetchError("too_large", `it is larger than ${Math.round(maxBytes / 1024)} KB`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.once("end", () => resolve(Buffer.concat(chunks)));
    res.once("error", reject);
    res.once("aborted", () => reject(new PublicFetchError("network", "the connection broke off")));
  });
}

/** Refuses (PublicFetchError) a URL the vault would not fetch, its host looked up as fetchPublic() would: for checking a URL when it is saved. */
export async function checkPublicDestination(url: URL, opts: Pick<PublicFetchOptions, "allowLoopback" | "timeoutMs">): Promise<void> {
  const problem = publicUrlProblem(url, opts);
  if (problem) throw new PublicFetchError("url", problem);
  await checkedAddress(url, opts, AbortSignal.timeout(opts.timeoutMs));
}

export async function fetchPublic(url: URL, opts: PublicFetchOptions): Promise<PublicFetchAnswer> {
  const problem = publicUrlProblem(url, opts);
  if (problem) throw new PublicFetchError("url", problem);
  const controller = new AbortController();
  const timeout = () => new PublicFetchError("timeout", `it did not answer within ${opts.timeoutMs / 1000} seconds`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(timeout());
    }, opts.timeoutMs);
  });
  try {
    return await Promise.race([exchange(url, opts, controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function exchange(url: URL, opts: PublicFetchOptions, signal: AbortSignal): Promise<PublicFetchAnswer> {
  const { address, family } = await checkedAddress(url, opts, signal);
  if (signal.aborted) throw new PublicFetchError("timeout", "the time limit passed");
  const client = url.protocol === "https:" ? https : http;
  return new Promise<PublicFetchAnswer>((resolve, reject) => {
    const req = client.request({
      protocol: url.protocol,
      hostname: bare(url.hostname),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? "GET",
      headers: {
        ...opts.headers,
        ...(opts.body !== undefined ? { "content-length": String(Buffer.byteLength(opts.body)) } : {}),
        accept: opts.accept,
        "accept-encoding": "identity",
        "user-agent": "token-vault",
      },
      agent: false,
      signal,
      // The address checked above, and no other: Node asks this instead of resolving the name again.
      lookup: (_host, options, callback) => {
        if ((options as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, [{ address, family }]);
        else (callback as (e: null, a: string, f: number) => void)(null, address, family);
      },
    });
    req.once("error", (e) =>
      reject(signal.aborted ? new PublicFetchError("timeout", "the time limit passed") : new PublicFetchError("network", networkClause(e))),
    );
    req.once("response", (res) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const encoding = (headers["content-encoding"] ?? "identity").trim().toLowerCase();
      if (encoding !== "identity") {
        reject(new PublicFetchError("encoding", `it came ${encoding}-encoded, though the vault asked for it unencoded`));
        res.destroy();
        return;
      }
      const declared = Number(headers["content-length"] ?? 0);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        reject(new PublicFetchError("too_large", `it is larger than ${Math.round(opts.maxBytes / 1024)} KB`));
        res.destroy();
        return;
      }
      readLimited(res, opts.maxBytes).then((body) => resolve({ status: res.statusCode ?? 0, headers, body }), reject);
    });
    req.end(opts.body);
  });
}

function networkClause(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === "ECONNREFUSED") return "the server refused the connection";
  if (typeof code === "string" && code.startsWith("ERR_TLS")) return "its TLS certificate was not accepted";
  if (code === "CERT_HAS_EXPIRED" || code === "DEPTH_ZERO_SELF_SIGNED_CERT" || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE")
    return "its TLS certificate was not accepted";
  return "the connection failed";
}
