// The bench's small measurements: one token exchange (over HTTP, and in process through the token
// endpoint's handler), one decryption of a stored token set, and what machine all this ran on.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";

import { round, summarize } from "./load";
import { root } from "./processes";
import type { ExchangeStats } from "./token-exchange";

export type Stats = { runs: number; medianMs: number; p95Ms: number; meanMs: number };

export async function benchExchangeHttp(runs: number, once: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < Math.min(20, runs); i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  const s = summarize(times);
  return { runs, medianMs: s.p50Ms, p95Ms: s.p95Ms, meanMs: s.meanMs };
}

/** bench/token-exchange.ts in a process of its own (it sets up a test world with its own database). */
export function benchExchangeInProcess(runs: number): Promise<ExchangeStats[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/run-ts.mjs", "bench/token-exchange.ts", String(runs), "--json"], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`bench/token-exchange.ts exited ${code}`));
      try {
        resolve(JSON.parse(line) as ExchangeStats[]);
      } catch {
        reject(new Error(`bench/token-exchange.ts printed no result: ${line.slice(0, 200)}`));
      }
    });
  });
}

/** openTokenSet on a sealed set, as the vault does once per call: AES-256-GCM open, parse, wrap in Secrets, dispose. */
export async function benchDecrypt(runs: number): Promise<{ runs: number; medianUs: number; p95Us: number; meanUs: number }> {
  const { parseKeyRing } = await import("../lib/vault/crypto/keyring");
  const { openTokenSet, sealTokenSet } = await import("../lib/vault/crypto/token-set");
  const ring = parseKeyRing(`1:${randomBytes(32).toString("base64")}`);
  const ctx = { tenantId: "acme", userId: "alice", rowId: randomUUID(), purpose: "connection.tokens" as const };
  const { blob } = sealTokenSet(ring, ctx, {
    accessToken: randomBytes(32).toString("base64url"),
    refreshToken: randomBytes(32).toString("base64url"),
    tokenType: "Bearer",
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    scope: "tasks.read tasks.write",
  });
  const once = () => openTokenSet(ring, ctx, blob).dispose();
  for (let i = 0; i < Math.min(2_000, runs); i++) once();
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    times[i] = performance.now() - t0;
  }
  const s = summarize(Array.from(times));
  return { runs, medianUs: round(s.p50Ms * 1000, 2), p95Us: round(s.p95Ms * 1000, 2), meanUs: round(s.meanMs * 1000, 2) };
}

export function machine(loadAtStart: number) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    /** One-minute load average when the bench started: other work on the machine skews every figure. */
    loadAverageAtStart: round(loadAtStart, 2),
  };
}
