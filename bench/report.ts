// How the bench prints what it measured: plain tables, fixed number formats, and the targets it
// checks, each with the figures that decided it.

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const ms = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? "-" : n < 10 ? n.toFixed(2) : n.toFixed(1));
export const percent = (ratio: number | null | undefined): string =>
  ratio === null || ratio === undefined || !Number.isFinite(ratio) ? "-" : `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)} %`;
export const fixed = (n: number | null | undefined, digits = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(digits));

export type TargetCheck = { target: string; measured: string; met: boolean };

export function targetLines(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.met ? "met    " : "MISSED "} ${c.target}: ${c.measured}`).join("\n");
}
