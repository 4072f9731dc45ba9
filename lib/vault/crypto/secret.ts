import "server-only";
// A credential in memory. Every way JavaScript has of turning an object into text (String, template
// literals, JSON, util.inspect, console.log, spreading, structuredClone) yields a marker; the value
// sits in a #private field, which none of those can reach. The one sanctioned way out is an
// Authorization header for an outgoing request.
import { inspect } from "node:util";

import { REDACTED, registerSecretValue } from "@/lib/log/redact";

// RFC 9110 token characters: a scheme cannot smuggle a second header line or a space.
const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/;

let reveal: (s: Secret) => string;

export class Secret {
  #value: string;
  #unregister: () => void;
  #disposed = false;

  static {
    reveal = (s) => s.#read();
  }

  constructor(value: string) {
    if (typeof value !== "string") throw new TypeError("A Secret holds a string.");
    this.#value = value;
    // Registered so that any log line that somehow contains the value is scrubbed.
    this.#unregister = registerSecretValue(value);
  }

  /** The way a credential leaves the vault: as the value of an outgoing Authorization header. */
  authorizationHeader(scheme = "Bearer"): string {
    if (!AUTH_SCHEME.test(scheme)) throw new Error(`"${scheme.slice(0, 20)}" is not a valid authorization scheme.`);
    const value = this.#read();
    if (/[\r\n\0]/.test(value)) throw new Error("This credential contains a line break, so it cannot be sent in a header.");
    return `${scheme} ${value}`;
  }

  /**
   * Unregisters the value from the log redactor and forgets it: after dispose the value is no longer
   * scrubbed specially, so using it afterwards would be a leak waiting to happen and throws instead.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#unregister();
    this.#value = "";
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  #read(): string {
    if (this.#disposed) throw new Error("This secret was disposed after use and can no longer be read.");
    return this.#value;
  }
}

/**
 * The raw value, for building token-request form bodies and similar inside lib/vault ONLY. No other
 * module may import this (enforced by the import rules); everything else uses authorizationHeader().
 */
export function revealSecret(s: Secret): string {
  return reveal(s);
}
