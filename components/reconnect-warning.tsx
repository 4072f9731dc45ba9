// Tells the owner of a connection that its refresh token will stop working (7 days and 1 day
// before), and that it has: the connection then needs reconnecting, and agents acting on it fail
// until it is. A server component: the dates come from the connection's DTO.
import { connectHref } from "@/components/connection-status";
import { reconnectWarning } from "@/lib/connections/lifecycle";
import type { ConnectionDto } from "@/lib/connections/schemas";

export function ReconnectWarning({ connection, providerName }: { connection: ConnectionDto; providerName: string }) {
  if (connection.status === "revoked") return null;
  const warning = reconnectWarning(connection.reconnectBy);
  if (!warning) return null;
  const day = warning.reconnectBy.toISOString().slice(0, 10);
  const text =
    warning.level === "ended"
      ? `${providerName} no longer honours this connection's refresh token (since ${day}): connect it again so your agents can keep using it.`
      : `${providerName} stops honouring this connection's refresh token on ${day} (in ${warning.daysLeft} ${warning.daysLeft === 1 ? "day" : "days"}): connect it again before then so your agents are not interrupted.`;
  return (
    <div className={`banner ${warning.level === "soon" ? "warn" : "error"}`} role={warning.level === "soon" ? "status" : "alert"}>
      <p>
        {text} <a href={connectHref(connection.provider, connection.scopes)}>Reconnect {providerName}</a>
      </p>
    </div>
  );
}
