// Canonical person ARN: auth:account:{tenant}:{user}. Both parts are restricted to a safe alphabet
// so an ARN can never be ambiguous (no ":" inside a part).
const PART = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function userArn(tenantId: string, userId: string): string {
  if (!PART.test(tenantId)) throw new Error(`Tenant id "${tenantId}" is not a valid ARN part.`);
  if (!PART.test(userId)) throw new Error(`User id "${userId}" is not a valid ARN part.`);
  return `auth:account:${tenantId}:${userId}`;
}

export function parseArn(arn: string): { tenantId: string; userId: string } | null {
  const m = /^auth:account:([^:]+):([^:]+)$/.exec(arn);
  if (!m || !PART.test(m[1]!) || !PART.test(m[2]!)) return null;
  return { tenantId: m[1]!, userId: m[2]! };
}

/** Turns an identity provider's subject or tenant claim into a valid ARN part. */
export function toArnPart(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63);
  if (!cleaned) throw new Error("The identity provider sent an empty subject or tenant.");
  return cleaned;
}
