import "server-only";
// The one definition of what each stored ciphertext is bound to. Writers, readers and the rotation
// sweep must build the same context, or a value written by one will not decrypt in another.
import type { AadContext } from "@/lib/vault/crypto/encryption";

/** Stands in for a binding a table does not have (a provider secret has no user; a signing key no tenant). */
export const NO_BINDING = "-";

export function aadForConnection(row: { id: string; tenantId: string; userId: string }): AadContext {
  return { tenantId: row.tenantId, userId: row.userId, rowId: row.id, purpose: "connection.tokens" };
}

export function aadForProviderRegistration(row: { id: string; tenantId: string }): AadContext {
  return { tenantId: row.tenantId, userId: NO_BINDING, rowId: row.id, purpose: "provider.client_secret" };
}

export function aadForPendingAuthorization(row: { id: string; tenantId: string; userId: string }): AadContext {
  return { tenantId: row.tenantId, userId: row.userId, rowId: row.id, purpose: "pending.pkce" };
}

export function aadForSigningKey(row: { kid: string }): AadContext {
  return { tenantId: NO_BINDING, userId: NO_BINDING, rowId: row.kid, purpose: "signing.private_key" };
}

export function aadForWebhook(row: { id: string; tenantId: string }): AadContext {
  return { tenantId: row.tenantId, userId: NO_BINDING, rowId: row.id, purpose: "webhook.secret" };
}
