// A world for orchestration tests (refresh, provider calls, the refresh engine): the connect world
// (demo config, database, real Demo Tasks provider, demo people) plus real connections made through
// the connect flow, and a look at the stored plaintext for assertions.
// Call before anything imports the app's env or db (each Vitest file is its own process).
import { ensureDemoSecrets } from "@/lib/env/demo-files";
import { startConnectWorld } from "@/lib/testing/connect-harness";

export async function startVaultWorld(opts: { databaseUrl?: string } = {}) {
  const world = await startConnectWorld(opts);
  const { getDb } = await import("@/lib/db");
  const { startConnect, completeConnect } = await import("@/lib/vault/connect/flow");
  const { openTokenSet, sealTokenSet } = await import("@/lib/vault/crypto/token-set");
  const { aadForConnection } = await import("@/lib/vault/crypto/aad");
  const { getKeyRing } = await import("@/lib/vault/crypto/keyring");
  const { revealSecret } = await import("@/lib/vault/crypto/secret");
  const clientSecret = ensureDemoSecrets(world.dataDir).demoProviderSecret;

  async function row(id: string) {
    return (await getDb()).connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true, encBlob: true } });
  }

  return {
    ...world,
    /** Connects (or reconnects) the person's Demo Tasks through the real flow; returns the connection id. */
    async connect(person = world.people.alice, username = "alice"): Promise<string> {
      const { url, binding } = await startConnect({ person, providerKey: "demo-tasks", scopes: ["tasks.read", "tasks.write"] });
      const callback = await world.authorize(url, { username });
      return (await completeConnect({ person, query: callback.searchParams, binding })).connectionId;
    },
    /** The stored token set in plaintext, for assertions only. */
    async plainTokens(id: string): Promise<{ access: string; refresh: string }> {
      const r = await row(id);
      const set = openTokenSet(getKeyRing(), aadForConnection(r), r.encBlob!);
      try {
        return { access: revealSecret(set.accessToken), refresh: set.refreshToken ? revealSecret(set.refreshToken) : "" };
      } finally {
        set.dispose();
      }
    },
    /** Replaces the stored token set (to plant a bad refresh token, or none). */
    async storeTokens(id: string, tokens: { access: string; refresh?: string; expiresAt?: Date | null }) {
      const r = await row(id);
      const { blob, keyVersion } = sealTokenSet(getKeyRing(), aadForConnection(r), {
        accessToken: tokens.access,
        refreshToken: tokens.refresh,
        tokenType: "bearer",
      });
      await (
        await getDb()
      ).connection.update({ where: { id }, data: { encBlob: blob, keyVersion, ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}) } });
    },
    async setExpiresAt(id: string, at: Date | null) {
      await (await getDb()).connection.update({ where: { id }, data: { expiresAt: at } });
    },
    /** A refresh_token grant straight at the provider, as the vault's client. */
    async redeemRefreshToken(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
      const res = await fetch(`${world.provider.issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`token-vault-portal:${clientSecret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    stats: () => world.provider.stats(),
    tasksUrl: `${world.provider.issuer}/tasks`,
  };
}
