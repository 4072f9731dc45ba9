// Whether an IP address is on the public internet: what the vault may connect to when a URL comes
// from someone outside (a client's metadata document). Private, loopback, link-local (the cloud
// metadata service at 169.254.169.254), unique-local, multicast, unspecified, reserved and
// documentation ranges are not, nor IPv6 forms that carry one of them (IPv4-mapped, IPv4-compatible,
// NAT64, 6to4, Teredo). Pure: bytes in, a verdict out; no lookups, no I/O.
import { isIP } from "node:net";

export type AddressKind = "public" | "loopback" | "private";

type V4Range = readonly [number, number, number, number, number];

// [a, b, c, d, prefix length]: everything that is not a public unicast address.
const NOT_PUBLIC_V4: readonly V4Range[] = [
  [0, 0, 0, 0, 8], // "this network", 0.0.0.0
  [10, 0, 0, 0, 8],
  [100, 64, 0, 0, 10], // carrier-grade NAT
  [127, 0, 0, 0, 8],
  [169, 254, 0, 0, 16], // link-local, cloud metadata
  [172, 16, 0, 0, 12],
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // documentation
  [192, 88, 99, 0, 24], // 6to4 relay anycast
  [192, 168, 0, 0, 16],
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // documentation
  [203, 0, 113, 0, 24], // documentation
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, and 255.255.255.255
];

function v4InRange(bytes: Uint8Array, [a, b, c, d, bits]: V4Range): boolean {
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const base = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (value & mask) === (base & mask);
}

function kindOfV4(bytes: Uint8Array): AddressKind {
  if (bytes[0] === 127) return "loopback";
  return NOT_PUBLIC_V4.some((range) => v4InRange(bytes, range)) ? "private" : "public";
}

function parseV4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/** The 16 bytes of an IPv6 address (with an embedded dotted quad or not), or null when it is not one. */
export function parseV6(text: string): Uint8Array | null {
  let s = text.toLowerCase();
  if (s.includes("%")) return null; // a zone index names an interface of this machine
  // An embedded dotted quad (::ffff:10.0.0.1) becomes the two groups it stands for.
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseV4(s.slice(lastColon + 1));
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const group = /^[0-9a-f]{1,4}$/;
  const read = (part: string) => (part === "" ? [] : part.split(":"));
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  if (![...head, ...rest].every((g) => group.test(g))) return null;
  const groups = head.length + rest.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return null;
  const words = [...head.map((g) => parseInt(g, 16)), ...Array<number>(8 - groups).fill(0), ...rest.map((g) => parseInt(g, 16))];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const bit = 7 - (i & 7);
    if (((bytes[byte]! >> bit) & 1) !== ((prefix[byte]! >> bit) & 1)) return false;
  }
  return true;
}

function kindOfV6(bytes: Uint8Array): AddressKind {
  const zeros = (n: number) => bytes.subarray(0, n).every((b) => b === 0);
  if (zeros(15) && bytes[15] === 1) return "loopback"; // ::1
  if (zeros(15) && bytes[15] === 0) return "private"; // ::
  // IPv4-mapped (::ffff:a.b.c.d): a dual-stack socket connects to the IPv4 address it carries.
  if (zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff) return kindOfV4(bytes.subarray(12));
  if (zeros(12)) return "private"; // IPv4-compatible: deprecated, never a real destination
  // NAT64 (64:ff9b::/96) reaches the IPv4 address it carries, which must be public.
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return kindOfV4(bytes.subarray(12)) === "public" ? "public" : "private";
  // Only global unicast (2000::/3) is public; inside it, Teredo and IETF special (2001::/23),
  // documentation (2001:db8::/32) and 6to4 (2002::/16, which tunnels to any IPv4 address) are not.
  if (!startsWith(bytes, [0x20], 3)) return "private";
  if (startsWith(bytes, [0x20, 0x01, 0x00], 23)) return "private";
  if (startsWith(bytes, [0x20, 0x01, 0x0d, 0xb8], 32)) return "private";
  if (startsWith(bytes, [0x20, 0x02], 16)) return "private";
  return "public";
}

/** What an IP address (as dns.lookup gives it, or a URL's hostname with or without brackets) is; null when it is not an address. */
export function addressKind(address: string): AddressKind | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) {
    const bytes = parseV4(bare);
    return bytes ? kindOfV4(bytes) : null;
  }
  if (family === 6) {
    const bytes = parseV6(bare);
    return bytes ? kindOfV6(bytes) : null;
  }
  return null;
}

/** Whether the vault may connect to this address: public ones always, loopback ones only when allowed (demo mode). */
export function addressAllowed(address: string, opts: { allowLoopback: boolean }): boolean {
  const kind = addressKind(address);
  return kind === "public" || (kind === "loopback" && opts.allowLoopback);
}
