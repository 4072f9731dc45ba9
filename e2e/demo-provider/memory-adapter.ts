import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

/**
 * Per-provider in-memory storage. oidc-provider's bundled adapter is one LRU capped at 1000
 * entries, so a long e2e run could silently evict live sessions or tokens; this one only drops
 * entries once they expire, and every provider instance gets its own maps.
 */

// Matches oidc-provider's default clockTolerance: its own expiry checks allow this much skew,
// so storage must not forget an entry before the provider would consider it expired.
const GRACE_MS = 15_000;
const SWEEP_EVERY_WRITES = 256;

const GRANT_MEMBERS = new Set(["AccessToken", "AuthorizationCode", "RefreshToken", "DeviceCode", "BackchannelAuthenticationRequest", "PreAuthorizedCode"]);

type Entry = { payload: AdapterPayload; expiresAt: number };

export type AdapterHooks = {
  /** A stored entry was looked up by its id (for opaque tokens, the token value that was presented). */
  onFind?: (model: string, id: string) => void;
  /** Whether a consumed entry is to be handed out as unconsumed (a rotated refresh token within its grace). */
  forgiveConsumed?: (model: string, id: string) => boolean;
};

export type MemoryAdapterFactory = AdapterFactory & {
  /** Removes one entry at once (a token that must stop working). */
  drop(model: string, id: string): void;
};

export function createMemoryAdapterFactory(hooks: AdapterHooks = {}): MemoryAdapterFactory {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const sessionByUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  let writes = 0;

  function live(key: string): AdapterPayload | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      remove(key);
      return undefined;
    }
    return entry.payload;
  }

  function remove(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const { grantId, uid, userCode } = entry.payload;
    if (typeof grantId === "string") byGrant.get(grantId)?.delete(key);
    if (typeof uid === "string" && sessionByUid.get(uid) === key) sessionByUid.delete(uid);
    if (typeof userCode === "string" && byUserCode.get(userCode) === key) byUserCode.delete(userCode);
  }

  function sweep(): void {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) remove(key);
    for (const [grantId, keys] of byGrant) if (keys.size === 0) byGrant.delete(grantId);
  }

  const factory = (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        remove(key);
        const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 + GRACE_MS : Infinity;
        entries.set(key, { payload, expiresAt });
        if (GRANT_MEMBERS.has(model) && typeof payload.grantId === "string") {
          let members = byGrant.get(payload.grantId);
          if (!members) byGrant.set(payload.grantId, (members = new Set()));
          members.add(key);
        }
        if (model === "Session" && typeof payload.uid === "string") sessionByUid.set(payload.uid, key);
        if (typeof payload.userCode === "string") byUserCode.set(payload.userCode, key);
        if (++writes % SWEEP_EVERY_WRITES === 0) sweep();
      },
      async find(id) {
        const payload = live(keyOf(id));
        if (!payload) return undefined;
        hooks.onFind?.(model, id);
        if (payload.consumed === undefined || !hooks.forgiveConsumed?.(model, id)) return payload;
        const { consumed: _consumed, ...unconsumed } = payload;
        return unconsumed;
      },
      async findByUid(uid) {
        const key = sessionByUid.get(uid);
        return key ? live(key) : undefined;
      },
      async findByUserCode(userCode) {
        const key = byUserCode.get(userCode);
        return key ? live(key) : undefined;
      },
      async consume(id) {
        const payload = live(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        const members = byGrant.get(grantId);
        if (!members) return;
        for (const key of [...members]) remove(key);
        byGrant.delete(grantId);
      },
    };
  };
  return Object.assign(factory, { drop: (model: string, id: string) => remove(`${model}:${id}`) });
}
