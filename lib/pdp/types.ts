// The policy decision point's vocabulary (ARCHITECTURE.md, "Four-layer delegation model"). Pure.
import type { Ceiling } from "@/lib/agents/ceiling";
import type { Constraints } from "@/lib/delegations/constraints";
import type { HttpMethod } from "@/lib/tools/tool";

/** What is being asked. `exchange` is the token endpoint turning a delegation id into an access token. */
export type PdpAction =
  | { kind: "exchange"; scopes?: readonly string[] }
  | { kind: "tool"; tool: string; scopes?: readonly string[] }
  | { kind: "proxy"; method: HttpMethod; path: string; scopes?: readonly string[] };

/** The layer that decided: the first that denied, or `data` (the last) for an allow. */
export type PdpLayer = "ceiling" | "scope" | "consent" | "data";

export type PdpDecision = {
  decision: "allow" | "deny";
  layer: PdpLayer;
  /** Stable machine code, e.g. `allowed`, `agent_suspended`, `scope_not_delegated`, `delegation_revoked`. */
  code: string;
  /** A sentence for the agent's operator or the person reading the audit log. */
  reason: string;
  /** On allow: the scopes the action may use (delegated ∩ still granted on the connection, narrowed by the request). */
  scopes?: string[];
  /**
   * On a consent denial the person could fix by granting more: what is missing, a tool's name
   * (tool_not_delegated) or OAuth scopes (scope_not_delegated; when any one of several would do, each of them).
   */
  missing?: string[];
  /** On agent_rate_limited: seconds until the agent may call again. */
  retryAfter?: number;
};

export type PdpAgent = {
  id: string;
  tenantId: string;
  clientId: string;
  status: "active" | "suspended";
  ceiling: Ceiling;
  /** Containment's hold (lib/containment/enforce.ts): its calls refused until a time, or its writes sent for approval. */
  hold?: { rateLimitedUntil: Date | null; approvalForWrites: boolean };
};

export type PdpDelegation = {
  id: string;
  tenantId: string;
  agentId: string;
  userId: string;
  connectionId: string;
  scopes: string[];
  tools: string[];
  /** null when the stored value does not parse: the PDP denies. */
  constraints: Constraints | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
};

export type PdpConnection = {
  id: string;
  tenantId: string;
  userId: string;
  provider: string;
  status: "active" | "refreshing" | "degraded" | "needs_reconnect" | "revoked";
  scopes: string[];
};

/** Everything the pure decision needs; loaded by lib/pdp/evaluate.ts. */
export type PdpFacts = {
  now: Date;
  /** The tenant the caller is authenticated in; every fact must belong to it. */
  tenantId: string;
  agent: PdpAgent | null;
  delegation: PdpDelegation | null;
  connection: PdpConnection | null;
  /** Allowed tool/proxy actions on this delegation within the rate limit's window (only when one is set). */
  recentActions?: number;
  /**
   * The action would use a tenant service account (then `connection`) instead of the delegation's own
   * connection, because the person's is unusable (lib/orchestration/credential.ts checked the tenant switch
   * and the delegation; the ceiling is checked here).
   */
  serviceAccount?: boolean;
  /**
   * The person approved this very request (lib/approvals/ consumed their approval for it): the
   * approval rules of the data layer are met. Never set for anything but the request approved.
   */
  approved?: boolean;
};
