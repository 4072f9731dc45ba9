// Every way of steering the proxy off the provider's API is refused before a credential is touched;
// ordinary paths join under the (templated) base; headers pass only from the allow-lists.
import { describe, expect, it } from "vitest";
import { provider as atlassian } from "@/lib/providers/atlassian/provider";
import { provider as github } from "@/lib/providers/github/provider";
import { provider as salesforce } from "@/lib/providers/salesforce/provider";
import { providerDefinition } from "@/lib/providers/schemas";
import { allowedRequestHeaders, allowedResponseHeaders, buildUpstreamUrl, checkProxyPath, encodeBody } from "./proxy-request";

const gh = providerDefinition.parse(github);
const jira = providerDefinition.parse(atlassian);
const sf = providerDefinition.parse(salesforce);

const REFUSED: Array<[string, string]> = [
  ["absolute http URL", "http://evil.example/x"],
  ["absolute https URL, upper case scheme", "HTTPS://evil.example/x"],
  ["scheme-relative //host", "//evil.example/x"],
  ["triple slash", "///evil.example"],
  ["no leading slash", "repos/x"],
  ["javascript scheme", "javascript:alert(1)"],
  ["dot-dot", "/../admin"],
  ["dot-dot deeper", "/repos/../../admin"],
  ["single dot", "/./x"],
  ["encoded dot-dot lower", "/%2e%2e/admin"],
  ["encoded dot-dot upper", "/%2E%2E/admin"],
  ["half-encoded dot-dot", "/.%2e/admin"],
  ["double-encoded dot-dot", "/%252e%252e/admin"],
  ["triple-encoded dot-dot", "/%25252e%25252e/admin"],
  ["encoded slash", "/repos%2f..%2fadmin"],
  ["double-encoded slash", "/a%252f..%252fb"],
  ["at sign", "/@evil.example/x"],
  ["user info", "/x@evil.example"],
  ["encoded at", "/%40evil.example"],
  ["backslash", "/\\evil.example"],
  ["encoded backslash", "/%5cevil.example"],
  ["NUL", "/tasks\u0000"],
  ["encoded NUL", "/tasks%00"],
  ["CRLF", "/tasks\r\nHost: evil"],
  ["encoded CRLF", "/tasks%0d%0aHost:%20evil"],
  ["tab", "/ta\tsks"],
  ["space", "/my tasks"],
  ["query in path", "/tasks?admin=1"],
  ["encoded query in path", "/tasks%3fadmin=1"],
  ["fragment", "/tasks#x"],
  ["empty segment", "/repos//x"],
  ["malformed encoding", "/tasks%zz"],
  ["unicode control (NEL)", "/tasks\u0085"],
];

describe("checkProxyPath", () => {
  it.each(REFUSED)("refuses %s", (_name, path) => {
    expect(() => checkProxyPath(path)).toThrow(expect.objectContaining({ name: "ProxyRequestError", code: "path_refused" }));
    expect(() => buildUpstreamUrl(gh, {}, path)).toThrow(expect.objectContaining({ code: "path_refused" }));
  });

  it("accepts ordinary API paths, including encoded characters that are not separators", () => {
    for (const p of ["/tasks", "/tasks/", "/repos/octo/hello-world/issues", "/search/issues", "/users/a%20b", "/v1/x.y/z~1"]) {
      expect(checkProxyPath(p)).toBe(p);
    }
  });
});

describe("buildUpstreamUrl", () => {
  it("joins under the base and adds the query", () => {
    expect(buildUpstreamUrl(gh, {}, "/search/issues", { q: "is:open author:@me", per_page: "5" }).href).toBe(
      "https://api.github.com/search/issues?q=is%3Aopen+author%3A%40me&per_page=5",
    );
  });

  it("fills Atlassian's cloud_id and keeps the call under /ex/jira/{cloud_id}", () => {
    const url = buildUpstreamUrl(jira, { cloud_id: "11111111-2222-3333-4444-555555555555" }, "/rest/api/3/myself");
    expect(url.href).toBe("https://api.atlassian.com/ex/jira/11111111-2222-3333-4444-555555555555/rest/api/3/myself");
  });

  it("refuses when the connection's metadata cannot build a safe base", () => {
    expect(() => buildUpstreamUrl(jira, {}, "/rest/api/3/myself")).toThrow(expect.objectContaining({ code: "api_base_unavailable" }));
    expect(() => buildUpstreamUrl(jira, { cloud_id: "../../evil" }, "/x")).toThrow(expect.objectContaining({ code: "api_base_unavailable" }));
    expect(() => buildUpstreamUrl(sf, { instance_url: "https://evil.example" }, "/sobjects")).toThrow(
      expect.objectContaining({ code: "api_base_unavailable" }),
    );
    expect(buildUpstreamUrl(sf, { instance_url: "https://acme.my.salesforce.com" }, "/sobjects").href).toBe(
      "https://acme.my.salesforce.com/services/data/v62.0/sobjects",
    );
  });
});

describe("headers", () => {
  it("refuses credentials, cookies and hosts an agent tries to send", () => {
    for (const name of ["Authorization", "cookie", "Host", "X-Forwarded-For", "Proxy-Authorization", "x-api-key"]) {
      expect(() => allowedRequestHeaders({ [name]: "x" })).toThrow(expect.objectContaining({ code: "header_refused" }));
    }
    expect(() => allowedRequestHeaders({ accept: "a\r\nX-Evil: 1" })).toThrow(expect.objectContaining({ code: "header_refused" }));
    expect(allowedRequestHeaders({ Accept: "application/json", "X-GitHub-Api-Version": "2022-11-28" })).toEqual({
      accept: "application/json",
      "x-github-api-version": "2022-11-28",
    });
  });

  it("passes only allow-listed response headers", () => {
    const upstream = new Headers({
      "content-type": "application/json",
      "set-cookie": "s=1",
      "www-authenticate": "Bearer",
      "x-ratelimit-remaining": "9",
      server: "nginx",
    });
    expect(allowedResponseHeaders(upstream)).toEqual({ "content-type": "application/json", "x-ratelimit-remaining": "9" });
  });
});

describe("encodeBody", () => {
  it("serialises JSON, refuses bodies on GET and oversized bodies", () => {
    expect(encodeBody("POST", { title: "x" })).toEqual({ bytes: Buffer.from('{"title":"x"}'), contentType: "application/json" });
    expect(() => encodeBody("GET", { a: 1 })).toThrow(expect.objectContaining({ code: "body_refused" }));
    expect(() => encodeBody("POST", "x".repeat(1_000_001))).toThrow(expect.objectContaining({ code: "body_refused" }));
  });
});
