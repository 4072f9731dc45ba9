// A second portal instance for multi-instance tests: the real route handlers of the agent-facing
// path (token endpoint, proxy, delegation) behind a loopback HTTP server, in a process of its own,
// so its caches, audit writer and policy versions are its own. Configured by the environment it
// is started with (lib/testing/instances.ts); it reports its URL over IPC and stops with its parent.
import { startRouteServer } from "./loopback";

const token = await import("@/app/api/oauth/token/route");
const proxy = await import("@/app/api/v1/proxy/route");
const delegation = await import("@/app/api/v1/delegation/route");

const server = await startRouteServer({
  "/api/oauth/token": { POST: token.POST },
  "/api/v1/proxy": { POST: (req) => proxy.POST(req) },
  "/api/v1/delegation": { GET: (req) => delegation.GET(req) },
});
process.send?.({ url: server.url });
process.on("disconnect", () => process.exit(0));
