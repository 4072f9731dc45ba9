// Everything the zero-exposure journey saw, as searchable text: one item per response, log file,
// storage snapshot, console line or build file, labelled with where it came from.
// Bytes are kept as latin1 strings: every byte maps to one character, so an ASCII secret is found in
// text and binary alike, whatever the item's real encoding.

export type Channel =
  | "browser-response"
  | "browser-request"
  | "browser-console"
  | "browser-storage"
  | "browser-cookies"
  | "api-response"
  | "mcp"
  | "server-log"
  | "audit"
  | "static-file"
  | "webhook"
  | "metrics";

export type CorpusItem = { channel: Channel; label: string; text: string };

export class Corpus {
  readonly items: CorpusItem[] = [];
  /** Responses whose body the browser could not hand over (redirects, aborted loads): headers only. */
  bodiesUnavailable = 0;

  add(channel: Channel, label: string, content: string | Buffer | Uint8Array): void {
    const text = typeof content === "string" ? content : Buffer.from(content).toString("latin1");
    this.items.push({ channel, label, text });
  }

  count(channel: Channel): number {
    return this.items.filter((i) => i.channel === channel).length;
  }

  bytes(): number {
    return this.items.reduce((n, i) => n + i.text.length, 0);
  }

  /** An independent copy, for the scanner's negative control. */
  clone(): Corpus {
    const copy = new Corpus();
    copy.items.push(...this.items.map((i) => ({ ...i })));
    return copy;
  }
}

/** Headers as one searchable block ("name: value" lines). */
export function headerText(headers: Record<string, string> | Array<{ name: string; value: string }>): string {
  const pairs = Array.isArray(headers) ? headers.map((h) => [h.name, h.value] as const) : Object.entries(headers);
  return pairs.map(([k, v]) => `${k}: ${v}`).join("\n");
}
