import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Loaded from node_modules at run time: PGlite ships WASM files it reads from its own folder,
  // and pino, pg and prom-client are Node-only.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pino", "pg", "@prisma/adapter-pg", "prom-client"],
  poweredByHeader: false,
  reactStrictMode: true,
  // No rewrites and no middleware: each costs every request a match, and the well-known documents
  // are routed straight from app/.well-known/.
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
