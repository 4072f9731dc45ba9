// Redirect URIs: what may be registered (https, loopback http, private-use schemes of native apps;
// never fragments, script or file schemes), and matching that is exact except for the one RFC 8252
// allowance: a native app's loopback IP redirect URI may name any port. Web clients get no such
// allowance, "localhost" is matched only exactly, and path or query differences are refused.
import { describe, expect, it } from "vitest";

import { nativeByRedirects, redirectHosts, redirectUriMatches, redirectUriProblem } from "./redirect-uris";

describe("redirectUriProblem", () => {
  it.each([
    "https://claude.ai/api/mcp/auth_callback",
    "https://chatgpt.com/connector_platform_oauth_redirect",
    "https://example.com/cb?x=1",
    "http://127.0.0.1:33418/",
    "http://[::1]:8080/callback",
    "http://localhost:6274/oauth/callback",
    "com.example.app:/oauth2redirect",
    "cursor://anysphere.cursor-mcp/oauth/callback",
    "vscode://vscode.github-authentication/did-authenticate",
  ])("accepts %s", (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    ["https://example.com/cb#frag", /fragment/],
    ["https://example.com/cb#", /fragment/],
    ["http://example.com/cb", /plain http only on this machine/],
    ["http://10.0.0.1/cb", /plain http only on this machine/],
    ["javascript:alert(1)", /cannot receive/],
    ["JavaScript:/alert(1)", /cannot receive/],
    ["data:/text/html,hi", /cannot receive/],
    ["file:///etc/passwd", /cannot receive/],
    ["vbscript:/x", /cannot receive/],
    ["about:blank", /cannot receive/],
    ["com.example.app:callback", /must have a path/],
    ["https://*.example.com/cb", /wildcards/],
    ["https://user:pw@example.com/cb", /user name or password/],
    ["/relative/cb", /not an absolute URI/],
    ["https://example.com/c b", /spaces or control/],
    ["", /non-empty/],
    [42, /non-empty string/],
    [`https://example.com/${"a".repeat(2000)}`, /at most 2000/],
  ])("refuses %s", (uri, why) => {
    expect(redirectUriProblem(uri)).toMatch(why);
  });
});

describe("nativeByRedirects", () => {
  it("is true only when every redirect URI is loopback or private-use", () => {
    expect(nativeByRedirects(["http://127.0.0.1/cb", "com.example.app:/cb"])).toBe(true);
    expect(nativeByRedirects(["http://127.0.0.1/cb", "https://example.com/cb"])).toBe(false);
    expect(nativeByRedirects(["https://example.com/cb"])).toBe(false);
    expect(nativeByRedirects([])).toBe(false);
  });
});

describe("redirectUriMatches", () => {
  const native = ["http://127.0.0.1/callback", "http://[::1]:9000/cb?x=1", "http://localhost:7777/cb", "com.example.app:/cb"];

  it("matches registered URIs exactly, for every client", () => {
    expect(redirectUriMatches(["https://example.com/cb"], "https://example.com/cb", false)).toBe(true);
    expect(redirectUriMatches(native, "com.example.app:/cb", true)).toBe(true);
    expect(redirectUriMatches(native, "http://localhost:7777/cb", true)).toBe(true);
  });

  it("lets a native app's loopback IP redirect URI name any port", () => {
    expect(redirectUriMatches(native, "http://127.0.0.1:51004/callback", true)).toBe(true);
    expect(redirectUriMatches(native, "http://127.0.0.1/callback", true)).toBe(true);
    expect(redirectUriMatches(native, "http://[::1]:1234/cb?x=1", true)).toBe(true);
    expect(redirectUriMatches(native, "http://[::1]/cb?x=1", true)).toBe(true);
  });

  it("gives a web client no port allowance", () => {
    expect(redirectUriMatches(["http://127.0.0.1:3000/cb"], "http://127.0.0.1:3001/cb", false)).toBe(false);
    expect(redirectUriMatches(["http://127.0.0.1/cb"], "http://127.0.0.1:80/cb", false)).toBe(false);
  });

  it('matches "localhost" only exactly, and never swaps it for 127.0.0.1 or ::1', () => {
    expect(redirectUriMatches(native, "http://localhost:7778/cb", true)).toBe(false);
    expect(redirectUriMatches(native, "http://localhost/callback", true)).toBe(false);
    expect(redirectUriMatches(native, "http://127.0.0.1:7777/cb", true)).toBe(false);
    expect(redirectUriMatches(native, "http://[::1]:5000/callback", true)).toBe(false);
    expect(redirectUriMatches(native, "http://127.0.0.1:9000/cb?x=1", true)).toBe(false);
  });

  it("refuses any difference in path, query, case, scheme or trailing characters", () => {
    for (const uri of [
      "http://127.0.0.1:5000/callback/",
      "http://127.0.0.1:5000/Callback",
      "http://127.0.0.1:5000/callback?x=1",
      "http://127.0.0.1:5000/callback#x",
      "http://127.0.0.1:5000/callback/../callback",
      "http://127.0.0.1:5000/callback%2F",
      "https://127.0.0.1:5000/callback",
      "HTTP://127.0.0.1:5000/callback",
      "http://127.0.0.1:99999/callback",
      "http://127.0.0.1:0/callback",
      "http://127.0.0.1:05000/callback",
      "http://127.0.0.2:5000/callback",
      "http://127.0.0.1.evil.example:5000/callback",
      "http://127.0.0.1@evil.example:5000/callback",
      "http://[::1]:1234/cb?x=2",
      "http://[::1]:1234/cb",
      "com.example.app:/cb/",
      "com.example.app:/cb?x",
      "",
    ]) {
      expect(redirectUriMatches(native, uri, true), uri).toBe(false);
    }
    expect(redirectUriMatches(["https://example.com/cb"], "https://example.com/cb?x=1", false)).toBe(false);
    expect(redirectUriMatches(["https://example.com/cb"], "https://EXAMPLE.com/cb", false)).toBe(false);
    expect(redirectUriMatches(["https://example.com/cb"], "https://example.com:443/cb", false)).toBe(false);
  });
});

describe("redirectHosts", () => {
  it("names where the redirect URIs point, once each", () => {
    expect(
      redirectHosts(["https://claude.ai/a", "https://claude.ai/b", "http://127.0.0.1:3/x", "com.example.app:/cb", "cursor://anysphere.cursor-mcp/cb"]),
    ).toEqual(["claude.ai", "127.0.0.1", "com.example.app:", "anysphere.cursor-mcp"]);
  });
});
