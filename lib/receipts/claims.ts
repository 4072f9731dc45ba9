// What a receipt says, and how its two hashes are computed, so an agent (or an auditor) can recompute
// them. Pure: no keys here.
//   request_sha256  = SHA-256 of `${METHOD} ${path}${?query}\n` followed by the body bytes sent
//                     upstream (none for a bodiless request); path and query are the upstream URL's.
//   response_sha256 = SHA-256 of the UTF-8 JSON of the `output` (tools) or `data` (proxy) returned,
//                     i.e. JSON.stringify of that value as it appears in the answer.
// Both are lowercase hex.
import { createHash } from "node:crypto";
import { z } from "zod";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const receiptClaims = z
  .object({
    iss: z.string(),
    iat: z.number().int(),
    jti: z.string(),
    /** The person's ARN. */
    sub: z.string(),
    /** The agent (its client_id). */
    act: z.object({ sub: z.string() }).strict(),
    cnx: z.string(),
    del: z.string(),
    /** Tool name, or "proxy". */
    action: z.string(),
    /** Whose credential was used: the person's own connection, or a tenant service account. */
    credential: z.enum(["user", "service_account"]),
    request_sha256: sha256Hex,
    status: z.number().int(),
    response_sha256: sha256Hex,
    audit_seq: z.number().int().positive(),
    audit_hash: sha256Hex,
  })
  .strict();

export type ReceiptClaims = z.output<typeof receiptClaims>;

export function sha256(bytes: string | Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function requestSha256(method: string, url: URL, body?: Uint8Array | null): string {
  const head = `${method.toUpperCase()} ${url.pathname}${url.search}\n`;
  const hash = createHash("sha256").update(head);
  if (body && body.length > 0) hash.update(body);
  return hash.digest("hex");
}

/** The exact bytes a receipt's response_sha256 covers: the JSON of the value returned to the agent. */
export function responseBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value ?? null), "utf8");
}

export function responseSha256(value: unknown): string {
  return sha256(responseBytes(value));
}
