// The administrators' view of the refresh engine (server component): this instance's last sweep and
// next run, and the organisation's connections by what the engine must do with them.
import { formatWhen } from "@/components/connection-status";
import type { RefreshOverview } from "@/lib/monitor/refresh-overview";

export function RefreshOverviewCard({ overview }: { overview: RefreshOverview }) {
  const { engine } = overview;
  const rows: Array<[string, string]> = [
    ["Engine", engine.running ? (engine.sweeping ? "sweeping now" : "running") : "not running in this instance"],
    [
      "Last sweep",
      engine.lastRunAt
        ? `${formatWhen(engine.lastRunAt)}: ${engine.lastRunChecked} checked, ${engine.lastRunRefreshed} refreshed, ${engine.lastRunFailed} failed, ${engine.lastRunSkipped} left for later`
        : "none yet",
    ],
    ["Next run", formatWhen(engine.nextRunAt, "not scheduled")],
    ["Due within the hour", String(overview.due)],
    ["Being refreshed now", String(overview.refreshing)],
    ["Failing (retried with backoff, still usable)", String(overview.failing)],
    ["Waiting for their owner to reconnect", String(overview.needsReconnect)],
    ["Refresh token ending within 7 days", String(overview.endingSoon)],
  ];
  return (
    <section className="card" aria-labelledby="refresh-engine">
      <h2 id="refresh-engine">Keeping connections alive</h2>
      {engine.lastRunError && (
        <p className="error" role="alert">
          {engine.lastRunError}
        </p>
      )}
      <table className="facts">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">Each portal instance runs its own engine; they split the due connections between them.</p>
    </section>
  );
}
