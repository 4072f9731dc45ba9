import "server-only";
// The last line of defence before anything is written to a log: known secret values, credential-named
// fields and credential-shaped strings are replaced, whatever code produced them. False positives
// (a harmless word after "Bearer") are accepted; a leaked token is not.

export const REDACTED = "[REDACTED]";
export const REDACTED_JWT = "[REDACTED_JWT]";

const MIN_SECRET_LENGTH = 8;
const MAX_DEPTH = 10;

// Compared after lower-casing and dropping "-" and "_", so clientSecret, client_secret and
// Client-Secret are one name.
const SECRET_KEYS = new Set(
  [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
    "x-api-key",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "code_verifier",
  ].map(normalizeKey),
);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalizeKey(key));
}

// Reference counts, because two live Secrets may hold the same value and disposing one must not
// expose the other.
const registered = new Map<string, number>();
// Longest first, so a secret that contains another is replaced whole; rebuilt lazily on change.
let ordered: string[] | null = null;

export function registerSecretValue(value: string): () => void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return () => {};
  registered.set(value, (registered.get(value) ?? 0) + 1);
  ordered = null;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = registered.get(value) ?? 0;
    if (n <= 1) registered.delete(value);
    else registered.set(value, n - 1);
    ordered = null;
  };
}

function registeredValues(): string[] {
  if (!ordered) ordered = [...registered.keys()].sort((a, b) => b.length - a.length);
  return ordered;
}

// A scheme followed by a token-looking word. Purely lower-case words ("Bearer authentication") are
// left alone: random tokens of 8+ characters practically always hold a digit or a capital.
const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const PLAIN_WORD = /^[a-z]+$/;

function redactAuthScheme(match: string, scheme: string, token: string): string {
  return PLAIN_WORD.test(token) ? match : `${scheme} ${REDACTED}`;
}

// JWTs first, so "token eyJ..." keeps the more telling JWT marker.
function applyPatterns(s: string): string {
  return s
    .replace(JWT, REDACTED_JWT)
    .replace(AUTH_SCHEME, redactAuthScheme)
    .replace(QUERY_PARAM, (_m, name: string) => `${name}=${REDACTED}`);
}
const JWT = /\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
// Credentials inside URLs, query strings and form bodies (token requests, redirect URLs).
const QUERY_PARAM = /\b(access_token|refresh_token|id_token|client_secret|code_verifier|password|code)=[^&\s"'#]+/gi;

export function scrubString(s: string): string {
  let out = s;
  if (registered.size > 0) {
    for (const v of registeredValues()) if (out.includes(v)) out = out.split(v).join(REDACTED);
  }
  return applyPatterns(out);
}

/**
 * For an already serialized JSON log line: registered values may appear JSON-escaped there, so both
 * spellings are replaced. Key-based rules need structure and are applied earlier by `scrub`.
 */
export function scrubSerialized(line: string): string {
  let out = line;
  if (registered.size > 0) {
    for (const v of registeredValues()) {
      if (out.includes(v)) out = out.split(v).join(REDACTED);
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
    }
  }
  return applyPatterns(out);
}

/** A deep, redacted copy of anything a caller wants to log. Never throws. */
export function scrub(value: unknown): unknown {
  return scrubValue(value, 0, new Set());
}

function scrubValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (ancestors.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Depth limit]";
  ancestors.add(value);
  try {
    return scrubObject(value, depth, ancestors);
  } catch {
    // A throwing getter or a revoked proxy must not take the log call (or the request) down.
    return "[Unserializable]";
  } finally {
    ancestors.delete(value);
  }
}

function scrubObject(value: object, depth: number, ancestors: Set<object>): unknown {
  const next = (v: unknown) => scrubValue(v, depth + 1, ancestors);
  if (Array.isArray(value)) return value.map(next);
  if (value instanceof Error) return scrubError(value, next);
  // Raw bytes could be a key or a token; nobody needs them in a log line.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
  if (value instanceof Date) return value;
  if (typeof Headers !== "undefined" && value instanceof Headers) return scrubEntries(value.entries(), next);
  if (value instanceof Map) return scrubEntries(value.entries(), next);
  if (value instanceof Set) return [...value].map(next);
  if (value instanceof URLSearchParams || value instanceof URL) return scrubString(value.toString());
  const proto = Object.getPrototypeOf(value) as unknown;
  // Class instances that define their own JSON form (Secret, Decimal, ...) are logged as that form.
  if (proto !== Object.prototype && proto !== null && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return next((value as { toJSON: () => unknown }).toJSON());
  }
  return scrubEntries(Object.entries(value), next);
}

function scrubEntries(entries: Iterable<[unknown, unknown]>, next: (v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const key = String(k);
    out[key] = isSecretKey(key) ? REDACTED : next(v);
  }
  return out;
}

// The copy keeps the error's prototype so pino's err serializer still sees an Error (type, stack).
function scrubError(err: Error, next: (v: unknown) => unknown): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  const hidden = (name: string, v: unknown) => Object.defineProperty(copy, name, { value: v, writable: true, configurable: true, enumerable: false });
  hidden("name", err.name);
  hidden("message", scrubString(String(err.message ?? "")));
  if (typeof err.stack === "string") hidden("stack", scrubString(err.stack));
  if ("cause" in err) hidden("cause", next(err.cause));
  if (err instanceof AggregateError) hidden("errors", (err.errors as unknown[]).map(next));
  for (const [k, v] of Object.entries(err)) {
    (copy as unknown as Record<string, unknown>)[k] = isSecretKey(k) ? REDACTED : next(v);
  }
  return copy;
}
