import "server-only";
// Webhook signing secrets. HMAC is symmetric: to sign a delivery the vault needs the very secret the
// receiver verifies with, so a hash (as for agent client secrets) cannot do. The secret is therefore
// stored the way every other credential is: AES-256-GCM under the tenant's key from the master key
// ring, bound by AAD to its tenant and webhook row (purpose "webhook.secret"), so a blob copied to
// another webhook does not decrypt. It is generated here, handed to the creator once, and afterwards
// only ever decrypted inside signDelivery() for the length of one HMAC; it never leaves this file.
import { randomBytes } from "node:crypto";

import type { Prisma } from "@/lib/generated/prisma/client";
import { getDb } from "@/lib/db";
import { aadForWebhook } from "@/lib/vault/crypto/aad";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { webhookSignatureHeader } from "@/lib/webhooks/signature";

type NewWebhook = { id: string; tenantId: string; url: string; description: string; eventTypes: string[]; cursorSeq: number; createdBy: string };

/** Creates the webhook row with a new sealed secret, inside the caller's transaction; answers the plaintext secret, for its creator, once. */
export async function insertWebhookWithSecret(tx: Prisma.TransactionClient, row: NewWebhook): Promise<string> {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const { blob, keyVersion } = encrypt(getKeyRing(), aadForWebhook(row), secret);
  await tx.webhook.create({ data: { ...row, encBlob: blob, keyVersion }, select: { id: true } });
  return secret;
}

/** The X-Vault-Signature value of `body` sent at `t` (unix seconds) to the webhook `id`; null when the webhook is gone. */
export async function signDelivery(tx: Prisma.TransactionClient | null, webhookId: string, t: number, body: string): Promise<string | null> {
  const db = tx ?? (await getDb());
  const row = await db.webhook.findUnique({ where: { id: webhookId }, select: { id: true, tenantId: true, encBlob: true } });
  if (!row) return null;
  const plain = decrypt(getKeyRing(), aadForWebhook(row), row.encBlob);
  try {
    return webhookSignatureHeader(plain.toString("utf8"), t, body);
  } finally {
    plain.fill(0);
  }
}
