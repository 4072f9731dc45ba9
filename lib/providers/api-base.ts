import "server-only";

// Resolves a provider's API base URL from its template and a connection's metadata. Metadata comes
// from the provider (token response, discovery calls), so it is treated as untrusted: a value can
// only ever fill one path segment, or, for a whole-URL placeholder, name an allowed https origin.
// Without this, a tampered `instance_url` would send a user's token to an attacker's host.
import type { ProviderDefinition } from "@/lib/providers/schemas";

export class ApiBaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiBaseError";
  }
}

const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;
const WHOLE_URL_PLACEHOLDER = /^\{([a-z][a-z0-9_]*)\}/;
// Unreserved characters only, no empty, `.` or `..` segments: nothing that can climb or re-route a path.
const SAFE_SEGMENT = /^[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*$/;
const MAX_SEGMENT = 200;

/** `*.example.com` matches any subdomain (not the apex); other patterns match the host exactly. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p.startsWith("*.")) {
    const suffix = p.slice(1);
    return h.length > suffix.length && h.endsWith(suffix);
  }
  return h === p;
}

/** Whether the vault may send this provider's tokens to `url`. Without apiHosts, only the base's own host. */
export function isAllowedApiHost(def: ProviderDefinition, url: URL, base?: URL): boolean {
  if (def.apiHosts) return def.apiHosts.some((pattern) => hostMatches(pattern, url.host));
  return base !== undefined && url.host === base.host;
}

/**
 * `path` (it may carry a query) joined under a connection's API base, or which bound the result would
 * cross: it must stay on the base's origin and one of the provider's API hosts ("host"), and under the
 * base's path ("base"), whatever the path's dots and slashes made of it.
 */
export function underApiBase(def: ProviderDefinition, base: URL, path: string): { url: URL } | { leaves: "host" | "base" } {
  const basePath = base.pathname.replace(/\/+$/, "");
  const url = new URL(base.origin + basePath + path);
  if (url.origin !== base.origin || !isAllowedApiHost(def, url, base)) return { leaves: "host" };
  if (!url.pathname.startsWith(basePath + "/") && url.pathname !== basePath) return { leaves: "base" };
  return { url };
}

function metadataValue(def: ProviderDefinition, metadata: Record<string, unknown>, name: string): string {
  const value = Object.hasOwn(metadata, name) ? metadata[name] : undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string" || value.trim() === "") {
    throw new ApiBaseError(
      `This ${def.name} connection has no "${name}" in its details, so the vault cannot tell which ${def.name} API to call: reconnect ${def.name}.`,
    );
  }
  return value.trim();
}

function resolveOrigin(def: ProviderDefinition, name: string, value: string): string {
  const refuse = (why: string): never => {
    throw new ApiBaseError(
      `The "${name}" recorded for this ${def.name} connection ${why}, so the vault will not send your token there: reconnect ${def.name}.`,
    );
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse("is not a URL");
  }
  if (url.protocol !== "https:") refuse("is not an https URL");
  if (url.username || url.password) refuse("carries credentials");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || value.trim().endsWith("?") || value.includes("#")) {
    refuse("is not a bare origin");
  }
  if (!def.apiHosts || !def.apiHosts.some((pattern) => hostMatches(pattern, url.host))) {
    refuse(`points at ${url.host}, which is not one of ${def.name}'s API hosts`);
  }
  return url.origin;
}

/** The API base for one connection, with every `{placeholder}` filled from its metadata. */
export function resolveApiBase(def: ProviderDefinition, metadata: Record<string, unknown>): URL {
  let template = def.apiBaseUrl;
  let prefix = "";
  const whole = WHOLE_URL_PLACEHOLDER.exec(template);
  if (whole) {
    const name = whole[1]!;
    prefix = resolveOrigin(def, name, metadataValue(def, metadata, name));
    template = template.slice(whole[0].length);
  }
  const rest = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = metadataValue(def, metadata, name);
    if (value.length > MAX_SEGMENT || !SAFE_SEGMENT.test(value)) {
      throw new ApiBaseError(
        `The "${name}" recorded for this ${def.name} connection is not a plain identifier, so the vault will not build an API address from it: reconnect ${def.name}.`,
      );
    }
    return value;
  });
  let url: URL;
  try {
    url = new URL(prefix + rest);
  } catch {
    throw new ApiBaseError(`${def.name}'s API address could not be built from its template: check the provider definition.`);
  }
  if (def.apiHosts && !def.apiHosts.some((pattern) => hostMatches(pattern, url.host))) {
    throw new ApiBaseError(`${def.name}'s API address resolves to ${url.host}, which is not one of its API hosts: check the provider definition.`);
  }
  return url;
}

/**
 * Reads a dotted path (`0.id`, `team.name`) out of a provider's JSON, own properties only, so a
 * path can never reach `__proto__` or other inherited members. Undefined when absent.
 */
export function readJsonPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(part)) return undefined;
      current = current[Number(part)];
    } else {
      if (!Object.hasOwn(current, part)) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
  }
  return current;
}
