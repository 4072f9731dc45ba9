// Searches a corpus for secrets in every form they could plausibly take on the way out: as they are,
// URL-encoded (once and twice, and form-encoded), JSON-escaped, hex, and base64/base64url. Base64 is
// searched at all three byte alignments, so a secret is found even inside a larger encoded value
// (a "Bearer <token>" header or a JSON document that was base64-encoded as a whole): with k bytes in
// front of the secret, the characters that depend only on the secret's own bytes are the same
// whatever those k bytes were, and that stretch is what is searched for.
import type { Channel, Corpus } from "./corpus";

export type Secret = { kind: string; value: string };
export type Form = { form: string; needle: string };
export type Hit = { kind: string; secretIndex: number; form: string; channel: Channel; label: string; offset: number; before: string };

function base64Cores(bytes: Buffer, alphabet: "base64" | "base64url"): Form[] {
  const out: Form[] = [];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString(alphabet);
    // Characters fully determined by the secret: from the first one past the k prefix bytes to the
    // last one that is not completed by whatever follows the secret.
    const start = Math.ceil((k * 8) / 6);
    const end = Math.floor(((k + bytes.length) * 8) / 6);
    out.push({ form: `${alphabet}@${k}`, needle: encoded.slice(start, end) });
  }
  return out;
}

/** Every form of one secret worth looking for, without duplicates. */
export function formsOf(value: string): Form[] {
  const bytes = Buffer.from(value, "utf8");
  const candidates: Form[] = [
    { form: "raw", needle: value },
    { form: "url-encoded", needle: encodeURIComponent(value) },
    { form: "form-encoded", needle: new URLSearchParams({ x: value }).toString().slice(2) },
    { form: "url-encoded twice", needle: encodeURIComponent(encodeURIComponent(value)) },
    { form: "json-escaped", needle: JSON.stringify(value).slice(1, -1) },
    { form: "hex", needle: bytes.toString("hex") },
    ...base64Cores(bytes, "base64"),
    ...base64Cores(bytes, "base64url"),
  ];
  // Standard base64 has + / =, which a URL or a form would encode.
  for (const c of candidates.filter((f) => f.form.startsWith("base64@")))
    candidates.push({ form: `${c.form} url-encoded`, needle: encodeURIComponent(c.needle) });
  const seen = new Set<string>();
  return candidates.filter((c) => {
    // A derived stretch this short could occur by chance (the secrets here are 32+ characters).
    if ((c.form !== "raw" && c.needle.length < 16) || seen.has(c.needle)) return false;
    seen.add(c.needle);
    return true;
  });
}

/** Every occurrence of every form of every secret in the chosen channels (all when none are named). */
export function scan(corpus: Corpus, secrets: Secret[], channels?: readonly Channel[]): Hit[] {
  const hits: Hit[] = [];
  const items = channels ? corpus.items.filter((i) => channels.includes(i.channel)) : corpus.items;
  secrets.forEach((secret, secretIndex) => {
    for (const { form, needle } of formsOf(secret.value)) {
      for (const item of items) {
        let at = item.text.indexOf(needle);
        while (at !== -1) {
          // The context shown in a failure is what came before the secret, never the secret itself.
          hits.push({
            kind: secret.kind,
            secretIndex,
            form,
            channel: item.channel,
            label: item.label,
            offset: at,
            before: item.text.slice(Math.max(0, at - 60), at),
          });
          at = item.text.indexOf(needle, at + 1);
        }
      }
    }
  });
  return hits;
}

/** A hit as one line for a failure message (the secret itself is not printed). */
export function describeHit(h: Hit): string {
  return `${h.kind} #${h.secretIndex} (${h.form}) in ${h.channel} ${h.label} at ${h.offset}, after ${JSON.stringify(h.before)}`;
}
