// What the zero-exposure journeys read outside the portal: the demo provider's test controls (its
// counters, the tokens it issued, forcing its access tokens to expire) and the portal's own output.
// The controls are read with a plain fetch that is NOT recorded: the issued-token list is the one
// place a test itself holds provider tokens.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { expect } from "../fixtures";
import type { Corpus } from "./corpus";
import type { Secret } from "./scanner";

const PORT = Number(process.env.E2E_PORT ?? 3107);
export const PROVIDER = `http://127.0.0.1:${PORT + 1}`;

export type Stats = { tokenRequests: number; authorizationCodeGrants: number; refreshGrants: number; revocations: number };
export type Issued = { accessTokens: string[]; refreshTokens: string[]; tokenResponses: number };

export async function providerStats(): Promise<Stats> {
  return (await fetch(`${PROVIDER}/__test/stats`)).json() as Promise<Stats>;
}

export async function issuedTokens(): Promise<Issued> {
  const res = await fetch(`${PROVIDER}/__test/issued-tokens`);
  expect(res.status, "the demo provider lists issued tokens (test controls on)").toBe(200);
  return (await res.json()) as Issued;
}

/** Every access and refresh token the provider ever issued, as secrets to search for. */
export function providerSecrets(issued: Issued): Secret[] {
  return [
    ...issued.accessTokens.map((value) => ({ kind: "provider access token", value })),
    ...issued.refreshTokens.map((value) => ({ kind: "provider refresh token", value })),
  ];
}

/** From now on the provider refuses every access token it issued, so the vault's next call refreshes. */
export async function expireProviderAccessTokens(): Promise<void> {
  expect((await fetch(`${PROVIDER}/__test/expire-access-tokens`, { method: "POST" })).status).toBe(200);
}

/** The launcher appends to the file as the portal prints; wait until it stops growing. */
export async function settledFile(file: string): Promise<string> {
  let size = -1;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = existsSync(file) ? statSync(file).size : 0;
    if (now === size && now > 0) break;
    size = now;
  }
  return readFileSync(file, "latin1");
}

/** The portal's stdout and stderr so far, line by line and whole, into the corpus; answers the line count. */
export async function addPortalLog(corpus: Corpus): Promise<number> {
  const logDir = process.env.E2E_OUTPUT_LOG_DIR ?? path.join(process.env.E2E_DATA_DIR ?? "", "logs");
  const portalLog = await settledFile(path.join(logDir, "portal.log"));
  const logLines = portalLog.split("\n").filter((l) => l.trim() !== "");
  logLines.forEach((line, i) => corpus.add("server-log", `portal.log line ${i + 1}`, line));
  // The whole file too, so a secret split across two writes of one line is still one string.
  corpus.add("server-log", "portal.log (whole)", portalLog);
  return logLines.length;
}
