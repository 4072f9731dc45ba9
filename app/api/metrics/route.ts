// GET /api/metrics - Prometheus text format for a scraper holding VAULT_METRICS_TOKEN (demo mode:
// the data folder's metrics.token): process, database statements, audit batches.
import { problem } from "@/lib/http/problem";
import { metricsAuthorized, metricsRegistry } from "@/lib/monitor/metrics";
import { bearerChallenge } from "@/lib/oauth-server/challenge";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const allowed = metricsAuthorized(req);
  if (allowed === null)
    return problem({
      status: 404,
      code: "metrics_disabled",
      title: "Metrics are off",
      detail: "Set VAULT_METRICS_TOKEN (32+ random characters) to serve metrics to a scraper holding it.",
    });
  if (!allowed) {
    // RFC 6750 §3: no error code when no credentials came, invalid_token when the wrong ones did.
    const error = req.headers.has("authorization") ? { code: "invalid_token" as const, description: "The metrics token is not this vault's." } : undefined;
    return problem({
      status: 401,
      code: "token_invalid",
      title: "Metrics token refused",
      detail: "Send `Authorization: Bearer <VAULT_METRICS_TOKEN>`.",
      headers: { "www-authenticate": bearerChallenge(error, {}, "token-vault-metrics") },
    });
  }
  const registry = metricsRegistry();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
