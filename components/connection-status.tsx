// A connection's status in plain words, and times as people read them. No hooks: usable from
// server pages and client components alike.
import type { ConnectionDto } from "@/lib/connections/schemas";

type Status = ConnectionDto["status"];

export const STATUS_WORDS: Record<Status, string> = {
  active: "active",
  refreshing: "refreshing",
  degraded: "degraded",
  needs_reconnect: "needs reconnect",
  revoked: "revoked",
};

/** What each status means for the person, shown as the badge's tooltip and on the detail page. */
export const STATUS_EXPLAINED: Record<Status, string> = {
  active: "Working: agents you allowed can use it.",
  refreshing: "The vault is renewing the access token right now.",
  degraded: "Renewing the access token failed; the vault keeps retrying.",
  needs_reconnect: "The provider no longer accepts the stored access: reconnect to keep using it.",
  revoked: "Disconnected: the vault holds no credential for it any more.",
};

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`badge status-${status}`} title={STATUS_EXPLAINED[status]}>
      {STATUS_WORDS[status]}
    </span>
  );
}

/** UTC and to the minute, so server and browser render the same text. */
export function formatWhen(iso: string | null, never = "never"): string {
  if (!iso) return never;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return never;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The connect URL that asks again for the same permissions. */
export function connectHref(providerKey: string, scopes: readonly string[] = []): string {
  const query = new URLSearchParams(scopes.map((s) => ["scope", s]));
  const search = query.toString();
  return `/api/oauth/connect/${encodeURIComponent(providerKey)}${search ? `?${search}` : ""}`;
}
