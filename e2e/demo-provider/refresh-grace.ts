// Refresh-token rotation that survives a lost answer, as Okta's grace period and Auth0's reuse
// interval do. Once a refresh token is rotated, it is accepted once more while its successor (the
// new refresh token and the new access token) has not been used yet, within `graceSeconds` of the
// first rotation: the client that never received the answer (it crashed, the connection dropped)
// asks again and gets a new token set, and the unused successor is dropped. Past that, presenting
// it is reuse: oidc-provider refuses it (invalid_grant) and revokes the whole grant, as the OAuth
// 2.0 Security BCP asks. graceSeconds 0 is strict rotation. Also counts the refresh grants of each
// refresh token, so tests can see a recovery. Token values are the models' ids (opaque tokens).
export type Successor = { refresh: string; access: string };

type Rotation = Successor & { rotatedAt: number };

const PRUNE_EVERY = 256;

export class RefreshGrace {
  graceSeconds: number;
  /** Refresh grants answered again for a rotated refresh token (a lost answer recovered). */
  replays = 0;
  /** A rotated refresh token -> its successor, while the successor is unused. */
  readonly #pending = new Map<string, Rotation>();
  /** A successor's refresh or access token -> the refresh token it replaced. */
  readonly #previous = new Map<string, string>();
  readonly #grants = new Map<string, number>();
  #rotations = 0;

  constructor(graceSeconds = 0) {
    this.graceSeconds = graceSeconds;
  }

  /** Whether this rotated (consumed) refresh token may be redeemed again. */
  forgives(refreshToken: string, now = Date.now()): boolean {
    const r = this.#pending.get(refreshToken);
    return r !== undefined && now - r.rotatedAt <= this.graceSeconds * 1000;
  }

  /** A token was presented (at the token endpoint, the API, introspection): whoever asked has the answer that issued it. */
  used(token: string): void {
    const previous = this.#previous.get(token);
    if (previous !== undefined) this.#end(previous);
  }

  /**
   * A refresh grant succeeded for `presented`, answering `successor` (no refresh token: not rotated).
   * Returns the earlier successor it replaces (the lost answer), which the caller drops.
   */
  granted(presented: string, successor: { refresh?: string; access: string }, now = Date.now()): Successor | undefined {
    this.#grants.set(presented, (this.#grants.get(presented) ?? 0) + 1);
    if (successor.refresh === undefined) return undefined;
    const earlier = this.#pending.get(presented);
    if (earlier) {
      this.replays += 1;
      this.#end(presented);
    }
    // The grace counts from the first rotation: lost answers in a row do not extend it.
    this.#pending.set(presented, { refresh: successor.refresh, access: successor.access, rotatedAt: earlier?.rotatedAt ?? now });
    this.#previous.set(successor.refresh, presented);
    this.#previous.set(successor.access, presented);
    if (++this.#rotations % PRUNE_EVERY === 0) this.#prune(now);
    return earlier && { refresh: earlier.refresh, access: earlier.access };
  }

  /** Successful refresh grants for this refresh token. */
  grantsOf(refreshToken: string): number {
    return this.#grants.get(refreshToken) ?? 0;
  }

  #end(rotated: string): void {
    const r = this.#pending.get(rotated);
    if (!r) return;
    this.#pending.delete(rotated);
    this.#previous.delete(r.refresh);
    this.#previous.delete(r.access);
  }

  /** Rotations whose grace is over can never be forgiven: forget them. */
  #prune(now: number): void {
    for (const [rotated, r] of this.#pending) if (now - r.rotatedAt > this.graceSeconds * 1000) this.#end(rotated);
  }
}
