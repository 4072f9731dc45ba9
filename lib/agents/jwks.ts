// The public keys an agent may register for private_key_jwt (RFC 7523), and where it may publish
// them. Only public signing keys of the algorithms the token endpoint accepts get in: a pasted
// private key or a shared symmetric key is refused with a sentence, never stored. Pure (no
// server-only) so the register form and the handler judge a JWKS the same way;
// lib/agents/credentials.ts re-exports both schemas for the server side.
import { z } from "zod";

import { isLoopbackHost } from "@/lib/net/loopback";

export const JWS_ALGS = ["EdDSA", "ES256", "RS256", "PS256"] as const;
export type JwsAlg = (typeof JWS_ALGS)[number];

/** Members that only a private or symmetric JWK has (RFC 7518 section 6). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;
const MAX_KEYS = 10;
/** 32 bytes in unpadded base64url. */
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
/** A 2048-bit modulus is 256 bytes, which is 342 unpadded base64url characters. */
const RSA_MIN_MODULUS_CHARS = 342;

const kid = z.string().trim().min(1).max(200);
const common = {
  kid: kid.optional(),
  use: z.literal("sig", { error: 'must be "sig": only signing keys are used' }).optional(),
};

const okpKey = z.object({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519", { error: "must be Ed25519" }),
  x: z.string().regex(B64URL_32, "must be a 32-byte base64url public key"),
  alg: z.literal("EdDSA", { error: 'must be "EdDSA" for an Ed25519 key' }).optional(),
  ...common,
});

const ecKey = z.object({
  kty: z.literal("EC"),
  crv: z.literal("P-256", { error: "must be P-256" }),
  x: z.string().regex(B64URL_32, "must be a 32-byte base64url coordinate"),
  y: z.string().regex(B64URL_32, "must be a 32-byte base64url coordinate"),
  alg: z.literal("ES256", { error: 'must be "ES256" for a P-256 key' }).optional(),
  ...common,
});

const rsaKey = z.object({
  kty: z.literal("RSA"),
  n: z
    .string()
    .regex(B64URL, "must be base64url")
    .refine((n) => n.length >= RSA_MIN_MODULUS_CHARS, "is shorter than 2048 bits: use an RSA key of at least 2048 bits")
    .refine((n) => n.length <= 1366, "is longer than 8192 bits"),
  e: z.string().regex(B64URL, "must be base64url").max(12),
  alg: z.enum(["RS256", "PS256"], { error: 'must be "RS256" or "PS256" for an RSA key' }).optional(),
  ...common,
});

/** One public JWK: private or symmetric material is refused before the shape is looked at. */
export const publicJwk = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object (a JWK)" })
  .superRefine((raw, ctx) => {
    if (raw.kty === "oct") {
      ctx.addIssue({ code: "custom", message: "is a symmetric (oct) key: register a public Ed25519, P-256 or RSA key instead" });
      return;
    }
    const found = PRIVATE_MEMBERS.filter((m) => m in raw);
    if (found.length > 0) {
      ctx.addIssue({ code: "custom", message: `contains private key material (${found.map((m) => `"${m}"`).join(", ")}): register only the public key` });
    }
  })
  .pipe(
    z.discriminatedUnion("kty", [okpKey, ecKey, rsaKey], {
      error: 'must have "kty" OKP (Ed25519), EC (P-256) or RSA',
    }),
  );

export type PublicJwk = z.output<typeof publicJwk>;

/** A JWKS of public signing keys; each key needs a distinct `kid` as soon as there is more than one. */
export const publicJwksSchema = z
  .object({
    keys: z.array(publicJwk).min(1, "must hold at least one key").max(MAX_KEYS, `must hold at most ${MAX_KEYS} keys`),
  })
  .superRefine(({ keys }, ctx) => {
    if (keys.length < 2) return;
    const seen = new Set<string>();
    keys.forEach((key, i) => {
      if (!key.kid) {
        ctx.addIssue({ code: "custom", path: ["keys", i, "kid"], message: "is required when the set holds more than one key" });
      } else if (seen.has(key.kid)) {
        ctx.addIssue({ code: "custom", path: ["keys", i, "kid"], message: `"${key.kid}" is used by another key in the set` });
      } else {
        seen.add(key.kid);
      }
    });
  });

export type PublicJwks = z.output<typeof publicJwksSchema>;

/** Where an agent publishes its keys: https (plain http only on this machine), no user:password, no fragment. */
export const jwksUriSchema = z
  .string()
  .trim()
  .max(2048, "must be at most 2048 characters")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL such as https://agent.example.com/jwks.json" });
      return;
    }
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
      ctx.addIssue({ code: "custom", message: "must use https (plain http is accepted only for localhost)" });
    }
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not contain a user name or password" });
    if (url.hash || value.includes("#")) ctx.addIssue({ code: "custom", message: "must not contain a fragment (#...)" });
  })
  .transform((value) => new URL(value).href);
