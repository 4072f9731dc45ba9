// The tenant's containment alerts and enforcement policies, for its administrators. The server loads
// the same DTOs the BFF answers, so React Query takes over from them without a second fetch.
import { AlertsAdmin } from "@/components/alerts-admin";
import { ContainmentPolicies } from "@/components/containment-policies";
import { requireAdmin } from "@/lib/auth/session";
import { listAlerts } from "@/lib/containment/alerts";
import { listPolicies } from "@/lib/containment/policies";
import { listDetectorSettings } from "@/lib/containment/settings";

export default async function AlertsPage() {
  const admin = await requireAdmin("/alerts");
  const [alerts, policies, detectors] = await Promise.all([listAlerts({ kind: "admin", person: admin }), listPolicies(admin), listDetectorSettings(admin)]);
  return (
    <>
      <h1>Alerts</h1>
      <p className="lead">
        What the vault&apos;s detectors noticed in {admin.tenantId} as it happened: agents reaching for what is not theirs, unusual bursts, new scopes and
        tools, broad grants, repeated refusals and failing connections, and what the policies below did about it.
      </p>
      <AlertsAdmin initial={alerts} />
      <ContainmentPolicies initial={{ policies, detectors }} />
    </>
  );
}
