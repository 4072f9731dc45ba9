// Closed-loop load over keep-alive HTTP/1.1: N virtual agents, each sending its next request as soon
// as the previous one has answered, for a fixed time. Latency is measured per request from just
// before the request is written to the end of the response body. Only successful requests count
// towards latency and throughput; failures are counted (with a few samples) and reported.
import http from "node:http";

export type Target = {
  /** Loopback URL of the request; with several, virtual agent i talks to url[i % n] (a round-robin of connections). */
  url: URL | readonly URL[];
  method: "GET" | "POST";
  /** Headers of each request; called per request so a token can be renewed mid-run. */
  headers: () => Promise<Record<string, string>> | Record<string, string>;
  body?: string;
  /** Whether an answer is a success (status and body checked; the body is read in full). */
  check: (status: number, body: string) => boolean;
};

export type CellResult = {
  concurrency: number;
  durationSeconds: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  rps: number;
};

const REQUEST_TIMEOUT_MS = 15_000;

/** One request over `agent`, its whole body read; a JSON body is sent with its length, never chunked. */
export function sendRequest(
  agent: http.Agent,
  url: URL,
  method: "GET" | "POST",
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `concurrency` closed loops against `target` for `seconds` (a warm-up is the same call, its result ignored). */
export async function runCell(target: Target, concurrency: number, seconds: number, opts: { maxRequests?: number } = {}): Promise<CellResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const fail = (why: string) => {
    errors += 1;
    if (errorSamples.length < 5) errorSamples.push(why.slice(0, 300));
  };
  const urls = Array.isArray(target.url) ? target.url : [target.url as URL];
  async function loop(_: unknown, i: number): Promise<void> {
    const url = urls[i % urls.length]!;
    while (performance.now() < deadline && latencies.length + errors < (opts.maxRequests ?? Infinity)) {
      const headers = await target.headers();
      const t0 = performance.now();
      try {
        const { status, body } = await sendRequest(agent, url, target.method, headers, target.body);
        const elapsed = performance.now() - t0;
        if (passes(target, status, body)) latencies.push(elapsed);
        else fail(`HTTP ${status}: ${body.slice(0, 200)}`);
      } catch (e) {
        fail((e as Error).message);
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    agent.destroy();
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  return {
    concurrency,
    durationSeconds: round(elapsedSeconds, 3),
    requests: latencies.length,
    errors,
    errorSamples,
    ...summarize(latencies),
    rps: round(latencies.length / elapsedSeconds, 1),
  };
}

function passes(target: Target, status: number, body: string): boolean {
  try {
    return target.check(status, body);
  } catch {
    return false;
  }
}

export function summarize(samples: number[]): { p50Ms: number; p95Ms: number; p99Ms: number; meanMs: number; maxMs: number } {
  if (samples.length === 0) return { p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, meanMs: NaN, maxMs: NaN };
  const sorted = Float64Array.from(samples).sort();
  return {
    p50Ms: round(quantile(sorted, 0.5), 3),
    p95Ms: round(quantile(sorted, 0.95), 3),
    p99Ms: round(quantile(sorted, 0.99), 3),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 3),
    maxMs: round(sorted[sorted.length - 1]!, 3),
  };
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
