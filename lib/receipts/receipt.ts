import "server-only";
// A receipt is the vault's signed statement of one action (CONTRACT.md, "Acting"): who acted for
// whom, on which connection and delegation, what was asked (a hash of the request), what came back
// (a hash of exactly the bytes the agent received) and where the audit chain recorded it. A compact
// JWS signed with the vault's key, so anyone holding /.well-known/jwks.json can check it offline.
import { randomUUID } from "node:crypto";

import { vaultIssuer } from "@/lib/oauth-server/issuer";
import { signVaultJwt } from "@/lib/vault/signing/signing-keys";

import type { ReceiptClaims } from "./claims";

export const RECEIPT_TYP = "receipt+jwt";

export type ReceiptInput = {
  /** The person the agent acted for (their ARN). */
  userArn: string;
  /** The agent's client_id. */
  clientId: string;
  /** The connection whose credential was used. */
  connectionId: string;
  delegationId: string;
  /** Tool name, or "proxy". */
  action: string;
  credential: "user" | "service_account";
  requestSha256: string;
  /** The provider's HTTP status. */
  status: number;
  responseSha256: string;
  auditSeq: number;
  auditHash: string;
  now?: Date;
};

export async function signReceipt(input: ReceiptInput): Promise<string> {
  const claims: ReceiptClaims = {
    iss: vaultIssuer(),
    iat: Math.floor((input.now ?? new Date()).getTime() / 1000),
    jti: randomUUID(),
    sub: input.userArn,
    act: { sub: input.clientId },
    cnx: input.connectionId,
    del: input.delegationId,
    action: input.action,
    credential: input.credential,
    request_sha256: input.requestSha256,
    status: input.status,
    response_sha256: input.responseSha256,
    audit_seq: input.auditSeq,
    audit_hash: input.auditHash,
  };
  return signVaultJwt(claims, { typ: RECEIPT_TYP });
}
