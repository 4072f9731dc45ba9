// Agent actions per day as stacked bars, by agent and by provider: server-rendered inline SVG, no
// client script. Each chart is one image with a spoken summary (role="img" + aria-label), a legend,
// and the exact figures in a table for anyone who cannot read the bars.
import type { Usage, UsageSeries } from "@/lib/audit/usage";

// Okabe-Ito: distinguishable with the common colour-vision deficiencies; grey is "everything else".
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];
const OTHER_COLOUR = "#9CA3AF";
const WIDTH = 520;
const PLOT_HEIGHT = 140;
const TOP = 8;
const LEFT = 32;
const BOTTOM = 22;

type Drawn = UsageSeries & { colour: string };

export function UsageChart({ usage }: { usage: Usage }) {
  const span = usage.days.length;
  const period = span === 1 ? "today" : `in the last ${span} days`;
  const whose = usage.scope === "mine" ? "on your behalf" : "in your organisation";
  return (
    <section className="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Agent actions per day</h2>
      {usage.total === 0 ? (
        <p className="empty-line">
          No agent has called a tool or the proxy {whose} {period}. Grant an agent access to a connection on the Delegations page: each call it makes is counted
          here.
        </p>
      ) : (
        <>
          <p className="note" style={{ marginTop: 0 }}>
            {plural(usage.total, "tool or proxy call")} {whose} {period}
            {usage.failures > 0 ? `, ${usage.failures} of them failed` : ""}. Days are UTC.
          </p>
          <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(320px, 1fr))", gap: 20 }}>
            <StackedBars title="By agent" what="agent" days={usage.days} series={usage.byAgent} period={period} />
            <StackedBars title="By provider" what="provider" days={usage.days} series={usage.byProvider} period={period} />
          </div>
        </>
      )}
    </section>
  );
}

function StackedBars({ title, what, days, series, period }: { title: string; what: string; days: string[]; series: UsageSeries[]; period: string }) {
  const drawn = colourSeries(series, days.length);
  const totals = days.map((_, i) => drawn.reduce((sum, s) => sum + s.counts[i]!, 0));
  const top = niceMax(Math.max(...totals));
  const slot = (WIDTH - LEFT) / days.length;
  const barWidth = Math.max(2, slot * 0.7);
  const y = (v: number) => TOP + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT;
  const labelEvery = Math.ceil(days.length / 7);
  const busiest = totals.indexOf(Math.max(...totals));
  const summary =
    `Stacked bar chart of actions per day by ${what} ${period}, ${plural(
      totals.reduce((a, b) => a + b, 0),
      "action",
    )} in all: ` + `${drawn.map((s) => `${s.label} ${s.total}`).join(", ")}. Busiest day ${days[busiest]} with ${totals[busiest]}.`;

  return (
    <figure style={{ margin: 0 }}>
      <figcaption style={{ fontWeight: 600, marginBottom: 6 }}>{title}</figcaption>
      <svg role="img" aria-label={summary} viewBox={`0 0 ${WIDTH} ${TOP + PLOT_HEIGHT + BOTTOM}`} width="100%" style={{ display: "block", maxWidth: WIDTH }}>
        {(top % 2 === 0 ? [top, top / 2, 0] : [top, 0]).map((v) => (
          <g key={v}>
            <line x1={LEFT} x2={WIDTH} y1={y(v)} y2={y(v)} stroke="#d9dee4" strokeWidth={1} />
            <text x={LEFT - 6} y={y(v) + 3} textAnchor="end" fontSize={10} fill="#5b6470">
              {v}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          const x = LEFT + i * slot + (slot - barWidth) / 2;
          let base = 0;
          return (
            <g key={day}>
              {drawn.map((s) => {
                const v = s.counts[i]!;
                if (v === 0) return null;
                const rect = (
                  <rect key={s.key} x={x} y={y(base + v)} width={barWidth} height={y(base) - y(base + v)} fill={s.colour}>
                    <title>{`${day}: ${s.label} ${v}`}</title>
                  </rect>
                );
                base += v;
                return rect;
              })}
              {(days.length - 1 - i) % labelEvery === 0 && (
                <text x={x + barWidth / 2} y={TOP + PLOT_HEIGHT + 15} textAnchor="middle" fontSize={10} fill="#5b6470">
                  {day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul style={{ listStyle: "none", padding: 0, margin: "8px 0 0", display: "flex", flexWrap: "wrap", gap: "4px 14px", fontSize: 13 }}>
        {drawn.map((s) => (
          <li key={s.key}>
            <span aria-hidden="true" style={{ display: "inline-block", width: 10, height: 10, borderRadius: 2, background: s.colour, marginRight: 6 }} />
            {s.label} <span className="note">({s.total})</span>
          </li>
        ))}
      </ul>
      <details style={{ marginTop: 8 }}>
        <summary className="note">Show the figures as a table</summary>
        <table className="audit-table" style={{ marginTop: 6 }}>
          <caption className="sr-only">Actions per day by {what}</caption>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              {drawn.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day, i) => (
              <tr key={day}>
                <th scope="row" style={{ fontWeight: 400 }}>
                  {day}
                </th>
                {drawn.map((s) => (
                  <td key={s.key}>{s.counts[i]}</td>
                ))}
                <td>{totals[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The busiest series keep their own colour; the rest are summed into one grey "Other". */
function colourSeries(series: UsageSeries[], span: number): Drawn[] {
  const own = series.slice(0, PALETTE.length).map((s, i) => ({ ...s, colour: PALETTE[i]! }));
  const rest = series.slice(PALETTE.length);
  if (rest.length === 0) return own;
  const counts = Array.from({ length: span }, (_, i) => rest.reduce((sum, s) => sum + s.counts[i]!, 0));
  return [...own, { key: "__others__", label: `${rest.length} others`, total: counts.reduce((a, b) => a + b, 0), counts, colour: OTHER_COLOUR }];
}

/** A round top for the axis (1, 2, 5 x 10^n), never below the busiest day. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
