import "server-only";
// One HTTP exchange with a provider's API, on Node's own http and https clients with keep-alive
// pools: the one request an action makes, without the Fetch API's stream machinery (or the
// framework's wrapper around it) on the path every action takes. Redirects are never followed
// (http.request does not follow them). The answer's body is decoded (gzip, deflate, br: the only
// encodings the vault asks for) so the echo scrub sees plain bytes, and refused as soon as it grows
// past the limit. One timer covers the whole exchange, the body included.
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import zlib from "node:zlib";

import { VaultCallError } from "@/lib/vault/call/errors";

export type UpstreamRequest = { method: string; headers: Record<string, string>; body?: Uint8Array | string; timeoutMs: number };

export type UpstreamAnswer = {
  status: number;
  /** Lower-case names, in the order received, repeated names kept apart. */
  headers: Array<[string, string]>;
  /** The decoded body; rejects with VaultCallError("provider_response_too_large") past `limit` bytes. */
  read(limit: number): Promise<Buffer>;
  /** Drops the body unread (the socket is not reused). */
  discard(): void;
};

/** The exchange took longer than its time limit. */
export class UpstreamTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "UpstreamTimeoutError";
  }
}

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

function tooLarge(limit: number): VaultCallError {
  return new VaultCallError(
    "provider_response_too_large",
    `The provider's answer is larger than ${Math.round(limit / 1024 / 1024)} MiB, which the vault does not relay.`,
  );
}

/** A kept-alive socket the provider closed while idle fails the next request on it before any answer. */
const STALE_SOCKET_ATTEMPTS = 3;

function staleSocket(e: unknown): boolean {
  return (e as { staleSocket?: boolean } | null)?.staleSocket === true;
}

/**
 * One request to the provider. A request that fails on a reused keep-alive socket with a reset and no
 * answer at all (the provider closed the idle connection as the vault picked it up: the request never
 * reached it) is sent again on another socket, as Node's documentation advises; nothing else is retried here.
 */
export async function sendUpstream(url: URL, init: UpstreamRequest): Promise<UpstreamAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendOnce(url, init);
    } catch (e) {
      if (!staleSocket(e) || attempt >= STALE_SOCKET_ATTEMPTS) throw e;
    }
  }
}

function sendOnce(url: URL, init: UpstreamRequest): Promise<UpstreamAnswer> {
  const client = url.protocol === "https:" ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  const headers: Record<string, string> = { ...init.headers };
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? Buffer.from(init.body) : init.body;
  // A length, never chunked encoding: some APIs refuse chunked requests.
  if (body !== undefined) headers["content-length"] = String(body.byteLength);

  return new Promise<UpstreamAnswer>((resolve, reject) => {
    let timedOut = false;
    let answered = false;
    const req = client.request(url, { method: init.method, headers, agent });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new UpstreamTimeoutError(init.timeoutMs));
    }, init.timeoutMs);
    const failed = (e: unknown) => (timedOut ? new UpstreamTimeoutError(init.timeoutMs) : e);
    req.once("error", (e) => {
      clearTimeout(timer);
      const code = (e as NodeJS.ErrnoException).code;
      if (!timedOut && !answered && req.reusedSocket && (code === "ECONNRESET" || code === "EPIPE")) Object.assign(e, { staleSocket: true });
      reject(failed(e));
    });
    req.once("response", (res) => {
      answered = true;
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
      resolve({
        status: res.statusCode ?? 502,
        headers: pairs,
        discard: () => {
          clearTimeout(timer);
          res.destroy();
        },
        read: (limit) => readAll(res, limit, failed).finally(() => clearTimeout(timer)),
      });
    });
    req.end(body);
  });
}

function readAll(res: http.IncomingMessage, limit: number, failed: (e: unknown) => unknown): Promise<Buffer> {
  const declared = Number(res.headers["content-length"] ?? "0");
  if (declared > limit) {
    res.destroy();
    return Promise.reject(tooLarge(limit));
  }
  const codings = (res.headers["content-encoding"] ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== "identity");
  let stream: Readable = res;
  for (const coding of codings.reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder) {
      res.destroy();
      // A body the vault cannot read could hide an echo of the token from the scrub.
      return Promise.reject(
        new VaultCallError("provider_unavailable", `The provider answered in an encoding the vault does not read (${coding.slice(0, 20)}).`),
      );
    }
    stream = stream.pipe(decoder()) as unknown as Readable;
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: unknown) => {
      if (done) return;
      done = true;
      res.destroy();
      reject(e);
    };
    res.once("error", (e) => fail(failed(e)));
    res.once("close", () => {
      if (!res.complete) fail(failed(new Error("the provider closed the connection mid-answer")));
    });
    if (stream !== res) stream.once("error", () => fail(new VaultCallError("provider_unavailable", "The provider's answer could not be decoded.")));
    stream.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) fail(tooLarge(limit));
      else chunks.push(chunk);
    });
    stream.once("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
  });
}
