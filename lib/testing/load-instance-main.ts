// A portal instance for the load scenario's test (bench/mixed-load.ts): the routes an agent acts
// through (token endpoint, proxy, Demo Tasks' tools) and the metrics, behind a loopback HTTP server
// in a process of its own, with the refresh engine sweeping every LOAD_REFRESH_ENGINE_MS when set
// (first sweep after LOAD_REFRESH_ENGINE_FIRST_MS, default the same interval).
// Started by lib/testing/instances.ts with its parent's configuration; stops with its parent.
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";

import { startRouteServer, type Routes } from "./loopback";

// An upstream request that fails below HTTP (reset, refused) is a 502 "could not be reached" to the
// agent: say which, and whether it went out on a kept-alive socket the provider may just have closed.
let transportFailures = 0;
subscribe("http.client.request.error", (message) => {
  const { request, error } = message as { request: ClientRequest; error: NodeJS.ErrnoException };
  if (++transportFailures > 20) return;
  console.error(
    `[load instance ${process.pid}] ${new Date().toISOString()} upstream ${request.method} ${request.host}${request.path.split("?")[0]} failed: ` +
      `${error.code ?? error.message}${request.reusedSocket ? " on a reused keep-alive socket" : " on a new socket"}`,
  );
});

const token = await import("@/app/api/oauth/token/route");
const proxy = await import("@/app/api/v1/proxy/route");
const tools = await import("@/app/api/v1/tools/[name]/route");
const metrics = await import("@/app/api/metrics/route");

const routes: Routes = {
  "/api/oauth/token": { POST: token.POST },
  "/api/v1/proxy": { POST: (req) => proxy.POST(req) },
  "/api/metrics": { GET: (req) => metrics.GET(req) },
};
for (const name of ["demo_tasks__list_tasks", "demo_tasks__create_task", "demo_tasks__delete_task"])
  routes[`/api/v1/tools/${name}`] = { POST: (req) => tools.POST(req, { params: Promise.resolve({ name }) }) };

const engineMs = Number(process.env.LOAD_REFRESH_ENGINE_MS ?? 0);
if (engineMs > 0) {
  const { startRefreshEngine } = await import("@/lib/vault/refresh/engine");
  const firstMs = Number(process.env.LOAD_REFRESH_ENGINE_FIRST_MS ?? engineMs);
  startRefreshEngine({ intervalMs: engineMs, firstRunDelayMs: firstMs > 0 ? firstMs : engineMs });
}

const server = await startRouteServer(routes);
process.send?.({ url: server.url });
process.on("disconnect", () => process.exit(0));
