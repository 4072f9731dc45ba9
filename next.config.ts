import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded from node_modules at run time: PGlite ships WASM files it reads from its own folder,
  // and pino/pg are Node-only.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  reactStrictMode: true,
  // App Router does not route dot-prefixed folders, so the well-known documents live under
  // app/api/well-known/ and are served at their RFC 8414 / RFC 7517 addresses from here.
  async rewrites() {
    return [
      { source: "/.well-known/jwks.json", destination: "/api/well-known/jwks" },
      { source: "/.well-known/oauth-authorization-server", destination: "/api/well-known/oauth-authorization-server" },
      // RFC 9728: the MCP endpoint's metadata, at the root and at the path-aware address (resource /api/mcp).
      { source: "/.well-known/oauth-protected-resource", destination: "/api/well-known/oauth-protected-resource" },
      { source: "/.well-known/oauth-protected-resource/api/mcp", destination: "/api/well-known/oauth-protected-resource" },
    ];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
