// The OpenAPI description of GET /api/v1/alerts as agents use it (an agent or delegation token: the
// containment alerts that name the agent), kept beside the main document like registration.ts. The
// answer's schema is lib/containment/schemas.ts `alertDto`, registered as the `Alerts` component. Pure.
import { ALERT_SEVERITY, ALERT_STATUS, DETECTOR_KINDS } from "@/lib/containment/schemas";

const query = (name: string, values: readonly string[], description: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type: "string", enum: [...values] },
});

export const alertsPath = {
  get: {
    operationId: "listAlerts",
    summary: "Containment alerts: the agent's own (agent or delegation token), or the whole tenant's for an administrator",
    description:
      "Alerts the vault's detectors stored (scope_escalation, exchange_velocity, unauthorized_agent, broad_consent, denial_storm, connection_failing), newest first, with their lifecycle and what each enforcement policy did about them. An agent sees only the alerts naming it.",
    tags: ["status"],
    security: [{ agentToken: [] }, { oauth2ClientCredentials: ["agent"] }, { delegationToken: [] }, { portalSession: [] }],
    parameters: [
      { $ref: "#/components/parameters/XRequestId" },
      query("severity", ALERT_SEVERITY, "Only alerts of this severity."),
      query("kind", DETECTOR_KINDS, "Only alerts of this detector."),
      query("status", ALERT_STATUS, "Only alerts in this state."),
    ],
    responses: {
      "200": {
        description: "The alerts.",
        headers: { "X-Request-ID": { $ref: "#/components/headers/XRequestId" } },
        content: { "application/json": { schema: { $ref: "#/components/schemas/Alerts" } } },
      },
      "400": { $ref: "#/components/responses/BadRequest" },
      "401": { $ref: "#/components/responses/Unauthorized" },
      "403": { $ref: "#/components/responses/Forbidden" },
      "429": { $ref: "#/components/responses/TooManyRequests" },
    },
  },
};
