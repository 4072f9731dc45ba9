// Which addresses the vault may connect to for a URL from outside: public unicast only, loopback only
// when allowed (demo mode), and no IPv6 spelling of a private IPv4 address gets through.
import { describe, expect, it } from "vitest";

import { addressAllowed, addressKind, parseV6 } from "./public-address";

describe("addressKind", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["93.184.216.34", "public"],
    ["2606:4700:4700::1111", "public"],
    ["[2a00:1450:4001:82a::200e]", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
  ])("%s is %s", (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it.each([
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::",
    "::ffff:10.0.0.1",
    "[::ffff:10.0.0.1]",
    "::ffff:a00:1",
    "::ffff:169.254.169.254",
    "::ffff:192.168.0.1",
    "::10.0.0.1",
    "::8.8.8.8",
    "64:ff9b::10.0.0.1",
    "64:ff9b::7f00:1",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "2001::1",
    "2002:0a00:0001::1",
    "100::1",
  ])("%s is not public", (address) => {
    expect(addressKind(address)).not.toBe("public");
    expect(addressAllowed(address, { allowLoopback: true }) && addressKind(address) !== "loopback").toBe(false);
  });

  it("a public IPv4 address inside NAT64 is public, and the boundaries of private ranges are exact", () => {
    expect(addressKind("64:ff9b::8.8.8.8")).toBe("public");
    expect(addressKind("172.15.255.255")).toBe("public");
    expect(addressKind("172.32.0.0")).toBe("public");
    expect(addressKind("100.63.255.255")).toBe("public");
    expect(addressKind("100.128.0.0")).toBe("public");
    expect(addressKind("11.0.0.0")).toBe("public");
  });

  it("is null for what is not an address", () => {
    for (const text of ["example.com", "", "1.2.3", "1.2.3.256", "01.2.3.4", "::ffff:1.2.3", "1::2::3", "[::1"]) expect(addressKind(text), text).toBeNull();
  });

  it("parses IPv6 with and without an embedded dotted quad", () => {
    expect(Array.from(parseV6("::ffff:10.0.0.1")!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 1]);
    expect(Array.from(parseV6("2001:db8::1")!)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseV6("1:2:3:4:5:6:7:8:9")).toBeNull();
  });
});

describe("addressAllowed", () => {
  it("allows loopback only when asked to (demo mode), and public addresses always", () => {
    expect(addressAllowed("127.0.0.1", { allowLoopback: false })).toBe(false);
    expect(addressAllowed("::1", { allowLoopback: false })).toBe(false);
    expect(addressAllowed("127.0.0.1", { allowLoopback: true })).toBe(true);
    expect(addressAllowed("8.8.8.8", { allowLoopback: false })).toBe(true);
    expect(addressAllowed("10.0.0.1", { allowLoopback: true })).toBe(false);
    expect(addressAllowed("not-an-address", { allowLoopback: true })).toBe(false);
  });
});
