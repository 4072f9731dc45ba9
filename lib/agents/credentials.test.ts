// Agent credentials: the shapes of ids and secrets, the stored hash, the rotation overlap window, the
// verified-cache (it must never outlive a window or accept a different secret) and the JWKS rules
// that keep private and symmetric keys out of the vault.
import { generateKeyPairSync } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";

import {
  clearVerifiedSecretCache,
  generateClientId,
  generateClientSecret,
  hashSecret,
  jwksUriSchema,
  publicJwksSchema,
  verifyAgentSecret,
} from "./credentials";

beforeEach(() => clearVerifiedSecretCache());

function jwkOf(type: "ed25519" | "ec" | "rsa", bits = 2048) {
  const { publicKey, privateKey } =
    type === "ed25519"
      ? generateKeyPairSync("ed25519")
      : type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : generateKeyPairSync("rsa", { modulusLength: bits });
  return { pub: publicKey.export({ format: "jwk" }) as Record<string, unknown>, priv: privateKey.export({ format: "jwk" }) as Record<string, unknown> };
}

describe("client ids and secrets", () => {
  it("have the documented prefixes, lengths and alphabet, and do not repeat", () => {
    const ids = new Set(Array.from({ length: 50 }, generateClientId));
    const secrets = new Set(Array.from({ length: 50 }, generateClientSecret));
    expect(ids.size).toBe(50);
    expect(secrets.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^agt_[A-Za-z0-9_-]{16}$/);
    for (const s of secrets) expect(s).toMatch(/^tvs_[A-Za-z0-9_-]{43}$/);
  });
});

describe("hashSecret and verifyAgentSecret", () => {
  it("stores a self-describing salted scrypt hash that does not contain the secret", async () => {
    const secret = generateClientSecret();
    const a = await hashSecret(secret);
    const b = await hashSecret(secret);
    expect(a).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret.slice(4));
  });

  it("accepts the current secret and refuses anything else", async () => {
    const secret = generateClientSecret();
    const agent = { secretHash: await hashSecret(secret), previousSecretHash: null, previousSecretExpiresAt: null };
    expect(await verifyAgentSecret(agent, secret)).toBe(true);
    expect(await verifyAgentSecret(agent, generateClientSecret())).toBe(false);
    expect(await verifyAgentSecret(agent, secret.slice(0, -1))).toBe(false);
    expect(await verifyAgentSecret(agent, `${secret}x`)).toBe(false);
    expect(await verifyAgentSecret(agent, "")).toBe(false);
    expect(await verifyAgentSecret(agent, "x".repeat(10_000))).toBe(false);
  });

  it("refuses everything for an agent without a secret, and for a stored hash it cannot read", async () => {
    const secret = generateClientSecret();
    expect(await verifyAgentSecret({ secretHash: null, previousSecretHash: null, previousSecretExpiresAt: null }, secret)).toBe(false);
    expect(await verifyAgentSecret({ secretHash: secret, previousSecretHash: null, previousSecretExpiresAt: null }, secret)).toBe(false);
    const hash = await hashSecret(secret);
    // A tampered row asking for an absurd cost is refused rather than computed.
    const greedy = hash.replace("N=32768", "N=1073741824");
    expect(await verifyAgentSecret({ secretHash: greedy, previousSecretHash: null, previousSecretExpiresAt: null }, secret)).toBe(false);
  });

  it("accepts the previous secret only until the overlap window ends, cache or not", async () => {
    const oldSecret = generateClientSecret();
    const newSecret = generateClientSecret();
    const t0 = new Date("2030-01-01T00:00:00Z");
    const ends = new Date(t0.getTime() + 3_600_000);
    const agent = { secretHash: await hashSecret(newSecret), previousSecretHash: await hashSecret(oldSecret), previousSecretExpiresAt: ends };
    expect(await verifyAgentSecret(agent, oldSecret, t0)).toBe(true); // now cached
    expect(await verifyAgentSecret(agent, newSecret, t0)).toBe(true);
    expect(await verifyAgentSecret(agent, oldSecret, new Date(ends.getTime() - 1))).toBe(true);
    expect(await verifyAgentSecret(agent, oldSecret, ends)).toBe(false);
    expect(await verifyAgentSecret(agent, oldSecret, new Date(ends.getTime() + 1))).toBe(false);
    expect(await verifyAgentSecret(agent, newSecret, new Date(ends.getTime() + 1))).toBe(true);
    // A previous hash with no end date is not an open-ended overlap.
    expect(await verifyAgentSecret({ ...agent, previousSecretExpiresAt: null }, oldSecret, t0)).toBe(false);
  });

  it("does not carry a cached success over to another stored hash", async () => {
    const secret = generateClientSecret();
    const first = { secretHash: await hashSecret(secret), previousSecretHash: null, previousSecretExpiresAt: null };
    expect(await verifyAgentSecret(first, secret)).toBe(true);
    // Rotated to a new secret: the old one, though cached against the old hash, is refused.
    const rotated = { secretHash: await hashSecret(generateClientSecret()), previousSecretHash: null, previousSecretExpiresAt: null };
    expect(await verifyAgentSecret(rotated, secret)).toBe(false);
  });

  it("answers a repeated success from the cache, far faster than scrypt", async () => {
    const secret = generateClientSecret();
    const agent = { secretHash: await hashSecret(secret), previousSecretHash: null, previousSecretExpiresAt: null };
    const t1 = performance.now();
    expect(await verifyAgentSecret(agent, secret)).toBe(true);
    const cold = performance.now() - t1;
    const t2 = performance.now();
    for (let i = 0; i < 20; i++) expect(await verifyAgentSecret(agent, secret)).toBe(true);
    const warm = (performance.now() - t2) / 20;
    expect(warm).toBeLessThan(cold / 5);
  });
});

describe("publicJwksSchema", () => {
  it("accepts public Ed25519, P-256 and RSA-2048 keys and keeps only public members", () => {
    const keys = [
      { ...jwkOf("ed25519").pub, kid: "ed", alg: "EdDSA", use: "sig" },
      { ...jwkOf("ec").pub, kid: "ec", alg: "ES256" },
      { ...jwkOf("rsa").pub, kid: "rsa", alg: "PS256", x5t: "ignored" },
    ];
    const parsed = publicJwksSchema.parse({ keys });
    expect(parsed.keys.map((k) => k.kty)).toEqual(["OKP", "EC", "RSA"]);
    expect(parsed.keys[2]).not.toHaveProperty("x5t");
  });

  it("accepts a single key without a kid", () => {
    expect(publicJwksSchema.safeParse({ keys: [jwkOf("ed25519").pub] }).success).toBe(true);
  });

  it.each([
    ["an Ed25519 private key", () => jwkOf("ed25519").priv],
    ["a P-256 private key", () => jwkOf("ec").priv],
    ["an RSA private key", () => jwkOf("rsa").priv],
    ["a public key with a stray d", () => ({ ...jwkOf("ec").pub, d: "AAAA" })],
    ["an RSA key with only p", () => ({ ...jwkOf("rsa").pub, p: "AAAA" })],
    ["a symmetric key", () => ({ kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" })],
    ["an RSA-1024 key", () => jwkOf("rsa", 1024).pub],
    ["a P-384 key", () => ({ ...(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey.export({ format: "jwk" }) as object) })],
    ["an X25519 key", () => generateKeyPairSync("x25519").publicKey.export({ format: "jwk" })],
    ["an Ed25519 key labelled ES256", () => ({ ...jwkOf("ed25519").pub, alg: "ES256" })],
    ["an RSA key labelled HS256", () => ({ ...jwkOf("rsa").pub, alg: "HS256" })],
    ["an encryption key", () => ({ ...jwkOf("ec").pub, use: "enc" })],
    ["a key without kty", () => ({ x: "abc" })],
    ["a string", () => "not a key"],
  ])("refuses %s", (_label, make) => {
    const result = publicJwksSchema.safeParse({ keys: [make()] });
    expect(result.success).toBe(false);
  });

  it("says why a private key is refused, in a sentence", () => {
    const result = publicJwksSchema.safeParse({ keys: [jwkOf("ec").priv] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain("private key material");
  });

  it("requires distinct kids once there is more than one key, and refuses an empty set", () => {
    const a = jwkOf("ed25519").pub;
    const b = jwkOf("ec").pub;
    expect(publicJwksSchema.safeParse({ keys: [a, b] }).success).toBe(false);
    expect(
      publicJwksSchema.safeParse({
        keys: [
          { ...a, kid: "k" },
          { ...b, kid: "k" },
        ],
      }).success,
    ).toBe(false);
    expect(
      publicJwksSchema.safeParse({
        keys: [
          { ...a, kid: "k1" },
          { ...b, kid: "k2" },
        ],
      }).success,
    ).toBe(true);
    expect(publicJwksSchema.safeParse({ keys: [] }).success).toBe(false);
    expect(publicJwksSchema.safeParse([a]).success).toBe(false);
  });
});

describe("jwksUriSchema", () => {
  it.each(["https://agent.example.com/.well-known/jwks.json", "http://localhost:4000/jwks", "http://127.0.0.1/jwks", "http://[::1]:8080/jwks"])(
    "accepts %s",
    (uri) => expect(jwksUriSchema.safeParse(uri).success).toBe(true),
  );

  it.each([
    "http://agent.example.com/jwks",
    "https://user:pass@agent.example.com/jwks",
    "https://agent.example.com/jwks#frag",
    "ftp://agent.example.com/jwks",
    "/relative/jwks",
    "javascript:alert(1)",
    `https://agent.example.com/${"a".repeat(3000)}`,
  ])("refuses %s", (uri) => expect(jwksUriSchema.safeParse(uri).success).toBe(false));
});
