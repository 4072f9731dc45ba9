// PATCH /api/v1/detectors/{kind} - (admins) the tenant's own setting of one detector: on or off, threshold, window (null: the default).
import { detectorParams, updateDetectorBody } from "@/lib/containment/schemas";
import { updateDetectorSetting } from "@/lib/containment/settings";
import { withPerson } from "@/lib/http/route";

export const PATCH = withPerson({ admin: true, params: detectorParams, body: updateDetectorBody }, async ({ person, params, body }) => ({
  detector: await updateDetectorSetting(person, params.kind, body),
}));
