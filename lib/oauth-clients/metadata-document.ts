import "server-only";
// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client_id that is an
// https URL names a JSON document, published by the client, describing it. This fetches one through
// the SSRF-safe fetcher (lib/net/public-fetch.ts: public addresses only, the checked address and no
// other, no redirects, 5 KB, 3 seconds), and accepts it only when it is JSON whose client_id is
// exactly the URL it came from, with the client metadata rules of client-metadata.ts and no secret.
// How long it may be kept follows its Cache-Control max-age, bounded. In demo mode an http URL on
// this machine is allowed too, so a local client (and the tests) can serve one.
// Touches the network only (no database, no cache: resolve.ts keeps what this returns).
import { isLoopbackHost } from "@/lib/net/loopback";
import { fetchPublic, PublicFetchError } from "@/lib/net/public-fetch";

import { readClientMetadata, type ClientMetadata } from "./client-metadata";
import { ClientError, RegistrationError } from "./errors";
import { hasSpaceOrControl } from "./redirect-uris";

export const DOCUMENT_LIMITS = {
  maxBytes: 5 * 1024,
  timeoutMs: 3_000,
  /** Cache lifetime bounds (seconds): never refetched more often than a minute, never kept longer than a day. */
  minSeconds: 60,
  maxSeconds: 86_400,
  defaultSeconds: 300,
} as const;

const MAX_ID_LENGTH = 1_000;

export type MetadataDocument = { metadata: ClientMetadata & { name: string }; ttlSeconds: number };

/** Whether this client_id is meant as a metadata document's URL (and is then never a registered client's id). */
export function isMetadataDocumentId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

/** Why this client_id cannot be a metadata document's URL, as a clause, or null. */
export function documentIdProblem(clientId: string, allowLoopback: boolean): string | null {
  if (clientId.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  if (hasSpaceOrControl(clientId)) return "it contains spaces or control characters";
  if (clientId.includes("#")) return "it contains a fragment (#)";
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return "it is not a URL";
  }
  if (url.username || url.password) return "it carries a user name or password";
  if (url.protocol === "http:" && allowLoopback) {
    if (!isLoopbackHost(url.hostname)) return "it is not an https URL (plain http is allowed only on this machine, in demo mode)";
  } else if (url.protocol !== "https:") return "it is not an https URL";
  // Checked on the string as written: the URL parser would quietly resolve the dot segments away.
  const rawPath = clientId
    .slice(clientId.indexOf("//") + 2)
    .replace(/^[^/?]*/, "")
    .split("?")[0]!;
  if (rawPath.length <= 1) return "it has no path (the document's URL looks like https://example.com/client.json)";
  if (rawPath.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) return 'its path contains "." or ".." segments';
  return null;
}

/** Seconds a document may be kept, from its Cache-Control header, within the bounds. */
export function cacheSeconds(cacheControl: string | undefined): number {
  const { minSeconds, maxSeconds, defaultSeconds } = DOCUMENT_LIMITS;
  const directives = (cacheControl ?? "")
    .toLowerCase()
    .split(",")
    .map((d) => d.trim());
  if (directives.includes("no-store") || directives.includes("no-cache")) return minSeconds;
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d{1,10})"?$/.exec(d)).find(Boolean);
  if (!maxAge) return defaultSeconds;
  return Math.min(maxSeconds, Math.max(minSeconds, Number(maxAge[1])));
}

function refused(clientId: string, clause: string): ClientError {
  return new ClientError(`The client's metadata document at ${clientId.slice(0, 200)} cannot be used: ${clause}.`);
}

/** Fetches and checks the document; throws a ClientError with a sentence saying what is wrong with it. */
export async function fetchMetadataDocument(clientId: string, opts: { allowLoopback: boolean }): Promise<MetadataDocument> {
  const problem = documentIdProblem(clientId, opts.allowLoopback);
  if (problem) throw new ClientError(`The client_id is not a usable metadata document URL: ${problem}.`);
  let answer;
  try {
    answer = await fetchPublic(new URL(clientId), {
      allowLoopback: opts.allowLoopback,
      timeoutMs: DOCUMENT_LIMITS.timeoutMs,
      maxBytes: DOCUMENT_LIMITS.maxBytes,
      accept: "application/json",
    });
  } catch (e) {
    if (e instanceof PublicFetchError) throw refused(clientId, e.message);
    throw e;
  }
  if (answer.status >= 300 && answer.status < 400)
    throw refused(clientId, `it answered with a redirect (HTTP ${answer.status}), which the vault does not follow`);
  if (answer.status !== 200) throw refused(clientId, `it answered HTTP ${answer.status} instead of the document`);
  const type = (answer.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw refused(clientId, `it is not JSON (Content-Type "${type || "none"}", expected application/json)`);
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(answer.body));
  } catch {
    throw refused(clientId, "its body is not valid JSON");
  }
  const claimed = (document as { client_id?: unknown } | null)?.client_id;
  if (claimed !== clientId) {
    throw refused(
      clientId,
      typeof claimed === "string" ? `its client_id ("${claimed.slice(0, 200)}") is not the URL it was fetched from` : "it has no client_id",
    );
  }
  let metadata: ClientMetadata;
  try {
    metadata = readClientMetadata(document, "document");
  } catch (e) {
    if (e instanceof RegistrationError) throw refused(clientId, e.message.charAt(0).toLowerCase() + e.message.slice(1).replace(/\.$/, ""));
    throw e;
  }
  return { metadata: { ...metadata, name: metadata.name ?? new URL(clientId).hostname }, ttlSeconds: cacheSeconds(answer.headers["cache-control"]) };
}
