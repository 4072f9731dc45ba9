// GET /api/v1/policies - (admins) the tenant's enforcement policies and each detector's setting.
// POST /api/v1/policies - (admins) a policy for one detector and severity (log, notify, rate_limit, require_approval, suspend; dryRun).
import { createPolicy, listPolicies } from "@/lib/containment/policies";
import { createPolicyBody } from "@/lib/containment/schemas";
import { listDetectorSettings } from "@/lib/containment/settings";
import { json, withPerson } from "@/lib/http/route";

export const GET = withPerson({ admin: true }, async ({ person }) => ({ policies: await listPolicies(person), detectors: await listDetectorSettings(person) }));

export const POST = withPerson({ admin: true, body: createPolicyBody }, async ({ person, body }) => json({ policy: await createPolicy(person, body) }, 201));
