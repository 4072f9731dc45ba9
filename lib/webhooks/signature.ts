// Webhook signatures (CONTRACT.md, Containment): `X-Vault-Signature: t=<unix seconds>,v1=<hex>`, the
// hex being HMAC-SHA256 under the webhook's secret of "<t>.<body>". Pure and dependency-free but for
// node:crypto, so a receiver can copy this file: verifyWebhookSignature() checks the MAC in constant
// time and refuses a timestamp outside the tolerance, which is what stops a captured delivery from
// being replayed later. Several v1 values may appear (a receiver accepts any that matches).
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-vault-signature";
/** Five minutes either way, as most webhook senders use. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function webhookMac(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");
}

export function webhookSignatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${webhookMac(secret, t, body)}`;
}

export type SignatureVerdict = { ok: true; t: number } | { ok: false; reason: "malformed" | "mismatch" | "stale" };

/**
 * Verifies a delivery: the header's MAC over its timestamp and the raw body, and the timestamp within
 * `toleranceSeconds` of `now` (a Date or unix seconds). The body must be the bytes received, unparsed.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: Date | number = new Date(),
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): SignatureVerdict {
  if (!header) return { ok: false, reason: "malformed" };
  let t: number | null = null;
  const macs: string[] = [];
  for (const part of header.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k === "t" && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === "v1" && v && /^[0-9a-f]{64}$/.test(v)) macs.push(v);
  }
  if (t === null || macs.length === 0) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(webhookMac(secret, t, body), "hex");
  if (!macs.some((m) => timingSafeEqual(Buffer.from(m, "hex"), expected))) return { ok: false, reason: "mismatch" };
  const nowSeconds = typeof now === "number" ? now : Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: "stale" };
  return { ok: true, t };
}
