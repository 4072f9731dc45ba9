// What a person delegates on a connection made with a pasted key. A key carries whatever the
// provider lets it do, so the vault's own two scopes split it by what an agent may send: `read`
// (GET and HEAD) and `write` (every other method). The connection holds both; a delegation names
// either, and the PDP reads the rules below like any provider's proxy rules. Client-safe.
import type { ProxyScopeRule } from "@/lib/tools/tool";

export const API_KEY_SCOPES = [
  { name: "read", description: "Read through this key: GET requests to the API.", default: true },
  { name: "write", description: "Change things through this key: POST, PUT, PATCH and DELETE requests to the API." },
] as const;

export const API_KEY_PROXY_RULES: readonly ProxyScopeRule[] = [
  { methods: ["GET", "HEAD"], pathPattern: "/**", anyOfScopes: ["read", "write"] },
  { methods: ["POST", "PUT", "PATCH", "DELETE"], pathPattern: "/**", anyOfScopes: ["write"] },
];
