// The tenant's webhooks, for its administrators: outside receivers subscribed to the vault's events,
// each delivery signed and retried, with its log. The server loads the same DTOs the BFF answers, so
// React Query takes over from them without a second fetch.
import { WebhooksAdmin } from "@/components/webhooks-admin";
import { requireAdmin } from "@/lib/auth/session";
import { listWebhooks } from "@/lib/webhooks/admin";

export default async function WebhooksPage() {
  const admin = await requireAdmin("/webhooks");
  const webhooks = await listWebhooks(admin);
  return (
    <>
      <h1>Webhooks</h1>
      <p className="lead">
        Receivers outside the vault that get {admin.tenantId}&apos;s events as they happen: ids, names, scopes and outcomes, never a token. Every delivery is
        signed with the webhook&apos;s secret and retried with backoff until the receiver answers 2xx.
      </p>
      <WebhooksAdmin initial={webhooks} />
    </>
  );
}
