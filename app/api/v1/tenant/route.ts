// GET /api/v1/tenant - (admins) my organisation's settings.
// PATCH /api/v1/tenant - (admins) change them (today: whether service accounts may stand in), audited with before and after.
import { withPerson } from "@/lib/http/route";
import { updateTenantSettingsBody } from "@/lib/tenancy/schemas";
import { getTenantSettings, updateTenantSettings } from "@/lib/tenancy/settings";

export const GET = withPerson({ admin: true }, async ({ person }) => getTenantSettings(person));

export const PATCH = withPerson({ admin: true, body: updateTenantSettingsBody }, async ({ person, body }) => updateTenantSettings(person, body));
