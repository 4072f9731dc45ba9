// Audit exports: JSON Lines and CSV. CSV cells that a spreadsheet would run as a formula
// (=, +, -, @, tab, carriage return at the start) are prefixed with a quote, so an exported log
// cannot execute anything when opened.
import type { AuditEventDto } from "./schemas";

export const CSV_COLUMNS = ["seq", "at", "action", "outcome", "actorArn", "agentId", "agentName", "target", "details", "prevHash", "hash"] as const;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(events: readonly AuditEventDto[], header = true): string {
  const lines = events.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(","));
  return (header ? [CSV_COLUMNS.join(","), ...lines] : lines).map((l) => `${l}\r\n`).join("");
}

export function toJsonl(events: readonly AuditEventDto[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join("");
}
