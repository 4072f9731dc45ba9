import "server-only";
// Checks a receipt the way an outside verifier would: a compact JWS of type receipt+jwt, signed by a
// key the vault publishes, issued by this vault, with every claim of the receipt present.
import { jwtVerify } from "jose";

import { vaultIssuer } from "@/lib/oauth-server/issuer";
import { vaultVerificationKey, VAULT_VERIFY_ALGS } from "@/lib/vault/signing/signing-keys";

import { receiptClaims, type ReceiptClaims } from "./claims";
import { RECEIPT_TYP } from "./receipt";

export async function verifyReceipt(receipt: string): Promise<ReceiptClaims> {
  const { payload } = await jwtVerify(receipt, vaultVerificationKey, { issuer: vaultIssuer(), typ: RECEIPT_TYP, algorithms: [...VAULT_VERIFY_ALGS] });
  return receiptClaims.parse(payload);
}
