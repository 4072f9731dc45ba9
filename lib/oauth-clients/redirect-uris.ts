// Redirect URIs of OAuth clients people connect: which ones a client may register, whether a client
// is a native app by them, and whether a redirect URI in an authorization request is one the client
// registered. Matching is exact string comparison (OAuth 2.1 §2.3.1, no normalisation that could be
// talked around); the one allowance is RFC 8252 §7.3: a native app's loopback IP redirect URI
// (http://127.0.0.1 or http://[::1]) may name any port. "localhost" is matched exactly only.
// Pure: strings in, verdicts out. Touches nothing.

export const MAX_REDIRECT_URIS = 10;
export const MAX_REDIRECT_URI_LENGTH = 2000;

/** Schemes that cannot receive an authorization response safely (script, data, files, the browser's own pages, mail, sockets). */
const REFUSED_SCHEMES = new Set([
  "javascript",
  "data",
  "vbscript",
  "file",
  "blob",
  "about",
  "filesystem",
  "ftp",
  "ws",
  "wss",
  "mailto",
  "tel",
  "sms",
  "view-source",
  "intent",
  "chrome",
  "chrome-extension",
  "moz-extension",
  "ms-browser-extension",
  "resource",
  "jar",
]);

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export type RedirectKind = "https" | "loopback" | "private_use";

/** Whether the text holds whitespace or a control character, which no URI the vault accepts may. */
export function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff) return true;
  }
  return /\s/.test(text);
}

/** A loopback IP redirect URI taken apart as written: host, port (may be absent), and the rest (path and query). */
const LOOPBACK_IP = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([1-9]\d{0,4}))?((?:\/[^?#]*)?(?:\?[^#]*)?)$/;

/** Why this redirect URI may not be registered, as a clause ("must not contain a fragment"), or null when it may. */
export function redirectUriProblem(uri: unknown): string | null {
  if (typeof uri !== "string" || uri.length === 0) return "must be a non-empty string";
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (hasSpaceOrControl(uri)) return "must not contain spaces or control characters";
  if (uri.includes("#")) return "must not contain a fragment (#)";
  if (uri.includes("*")) return "must not contain wildcards";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not an absolute URI";
  }
  if (url.username || url.password) return "must not contain a user name or password";
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === "https") return url.hostname ? null : "must name a host";
  if (scheme === "http") {
    return LOOPBACK_HOSTS.has(url.hostname.toLowerCase()) ? null : "may use plain http only on this machine (127.0.0.1, [::1] or localhost): use https";
  }
  if (REFUSED_SCHEMES.has(scheme)) return `uses the scheme "${scheme}:", which cannot receive an authorization response`;
  // A private-use scheme of a native app (RFC 8252 §7.1), e.g. com.example.app:/callback.
  if (!uri.slice(scheme.length + 1).startsWith("/")) return `must have a path after "${scheme}:", such as ${scheme}:/callback`;
  return null;
}

export function redirectUriKind(uri: string): RedirectKind | null {
  if (redirectUriProblem(uri) !== null) return null;
  const scheme = uri.slice(0, uri.indexOf(":")).toLowerCase();
  if (scheme === "https") return "https";
  if (scheme === "http") return "loopback";
  return "private_use";
}

/** A client whose every redirect URI is a loopback or private-use one can only be a native app. */
export function nativeByRedirects(uris: readonly string[]): boolean {
  return (
    uris.length > 0 &&
    uris.every((u) => {
      const kind = redirectUriKind(u);
      return kind === "loopback" || kind === "private_use";
    })
  );
}

/** Whether `requested` is one of `registered`: exactly, or (native apps only) a loopback IP one differing only in port. */
export function redirectUriMatches(registered: readonly string[], requested: string, native: boolean): boolean {
  if (typeof requested !== "string" || requested.length === 0 || requested.length > MAX_REDIRECT_URI_LENGTH) return false;
  if (registered.includes(requested)) return true;
  if (!native) return false;
  const asked = LOOPBACK_IP.exec(requested);
  if (!asked || (asked[2] !== undefined && Number(asked[2]) > 65535)) return false;
  return registered.some((uri) => {
    const known = LOOPBACK_IP.exec(uri);
    return known !== null && known[1] === asked[1] && known[3] === asked[3];
  });
}

/** The hosts a client's redirect URIs point at (for a person to read), e.g. ["claude.ai", "127.0.0.1", "com.example.app:"]. */
export function redirectHosts(uris: readonly string[]): string[] {
  const hosts = uris.map((uri) => {
    try {
      const url = new URL(uri);
      return url.protocol === "https:" || url.protocol === "http:" ? url.hostname : url.host || url.protocol;
    } catch {
      return uri;
    }
  });
  return [...new Set(hosts)];
}
