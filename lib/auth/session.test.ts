// The portal session as route handlers read it (personFromRequest, behind withPerson and the AuthZEN
// routes): next-auth's own cookie, decoded by next-auth with the configured secret, then the person
// re-read from the database. Every cookie a visitor could make up, keep too long or carry after
// being removed is "not signed in": a 401 from a BFF route and never a person.
import { randomBytes } from "node:crypto";

import { encode } from "next-auth/jwt";
import { afterAll, describe, expect, it } from "vitest";

import { portalRequest, sessionClaims, sessionCookie, sessionCookieName, sessionToken, setRole, signInDemo, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { upsertPerson } = await import("@/lib/tenancy/people");
const { personFromRequest } = await import("./session");
const connections = await import("@/app/api/v1/connections/route");
const tenant = await import("@/app/api/v1/tenant/route");
const { alice } = world.people;
const db = await getDb();

afterAll(async () => {
  await world.provider.close();
});

/** Who the request is, asked both ways: the function, and a BFF route behind withPerson. */
async function whoIs(headers: Record<string, string>) {
  const person = await personFromRequest(portalRequest("/api/v1/connections", { headers }));
  const res = await connections.GET(portalRequest("/api/v1/connections", { headers }));
  return { person, status: res.status, code: res.status === 401 ? ((await res.json()) as { code: string }).code : null };
}

const SIGNED_OUT = { person: null, status: 401, code: "unauthenticated" };

/** Changes one character of the token's ciphertext part (the fourth of five). */
function tampered(token: string): string {
  const parts = token.split(".");
  const c = parts[3]!;
  parts[3] = `${c.slice(0, 5)}${c[5] === "A" ? "B" : "A"}${c.slice(6)}`;
  return parts.join(".");
}

describe("a session cookie as sign-in sets it", () => {
  it("is the person it was issued to, read again from the database", async () => {
    const { person, cookie } = await signInDemo("alice@acme.test");
    expect(person.arn).toBe(alice.arn);
    const who = await whoIs({ cookie });
    expect(who.person).toEqual(alice);
    expect(who.status).toBe(200);
  });

  it("carries only the ARN: a role changed in the database applies on the next request", async () => {
    const cookie = await sessionCookie(alice);
    expect((await tenant.GET(portalRequest("/api/v1/tenant", { cookie }))).status).toBe(403);
    await setRole(alice, "admin");
    try {
      expect((await tenant.GET(portalRequest("/api/v1/tenant", { cookie }))).status).toBe(200);
    } finally {
      await setRole(alice, "user");
    }
  });

  it("is found among the browser's other cookies", async () => {
    const cookie = await sessionCookie(alice);
    expect((await whoIs({ cookie: `theme=dark; ${cookie}; next-auth.csrf-token=abc` })).person).toEqual(alice);
  });
});

describe("not signed in", () => {
  it("without a cookie", async () => {
    expect(await whoIs({})).toEqual(SIGNED_OUT);
    expect(await whoIs({ cookie: "theme=dark" })).toEqual(SIGNED_OUT);
  });

  it("with a cookie encrypted under another secret", async () => {
    const forged = await sessionToken(alice, { secret: randomBytes(32).toString("base64url") });
    expect(await whoIs({ cookie: `${sessionCookieName()}=${forged}` })).toEqual(SIGNED_OUT);
  });

  it("with a cookie changed in any part", async () => {
    const token = await sessionToken(alice);
    expect(await whoIs({ cookie: `${sessionCookieName()}=${tampered(token)}` })).toEqual(SIGNED_OUT);
    const parts = token.split(".");
    parts[4] = parts[4]!.split("").reverse().join("");
    expect(await whoIs({ cookie: `${sessionCookieName()}=${parts.join(".")}` })).toEqual(SIGNED_OUT);
    expect(await whoIs({ cookie: `${sessionCookieName()}=${token.slice(0, -2)}` })).toEqual(SIGNED_OUT);
    expect(await whoIs({ cookie: `${sessionCookieName()}=garbage` })).toEqual(SIGNED_OUT);
  });

  it("with a cookie that expired", async () => {
    // next-auth allows 15 s of clock skew; a minute past is expired.
    const expired = await sessionToken(alice, { maxAge: -60 });
    expect(await whoIs({ cookie: `${sessionCookieName()}=${expired}` })).toEqual(SIGNED_OUT);
  });

  it("with a valid cookie for a person removed from the database", async () => {
    const dave = await upsertPerson({ id: "dave", tenantId: "acme", tenantName: "Acme Corp", email: "dave@acme.test", name: "Dave", role: "admin" });
    const cookie = await sessionCookie(dave);
    expect((await whoIs({ cookie })).person).toEqual(dave);
    await db.user.delete({ where: { arn: dave.arn } });
    expect(await whoIs({ cookie })).toEqual(SIGNED_OUT);
  });

  it("with a cookie that names no person, or one who never existed", async () => {
    const { secret } = await import("@/lib/auth/options").then((m) => m.authOptions());
    const claims = await sessionClaims(alice);
    const noSub = await encode({ token: { ...claims, sub: undefined }, secret: secret! });
    expect(await whoIs({ cookie: `${sessionCookieName()}=${noSub}` })).toEqual(SIGNED_OUT);
    const stranger = await sessionToken(alice, { claims: { ...claims, sub: "arn:tokenvault:acme:user/mallory" } });
    expect(await whoIs({ cookie: `${sessionCookieName()}=${stranger}` })).toEqual(SIGNED_OUT);
  });

  it("with a signed but unencrypted token, as a JWT library would make one", async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const plain = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: alice.arn, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expect(await whoIs({ cookie: `${sessionCookieName()}=${plain}` })).toEqual(SIGNED_OUT);
  });

  it("with the session under a cookie name next-auth does not read here", async () => {
    const token = await sessionToken(alice);
    // The portal runs on http in this world, so next-auth reads the unprefixed name only.
    expect(await whoIs({ cookie: `__Secure-next-auth.session-token=${token}` })).toEqual(SIGNED_OUT);
    expect(await whoIs({ cookie: `next-auth.session=${token}` })).toEqual(SIGNED_OUT);
  });

  it("with the session token sent as a bearer token instead of the cookie", async () => {
    // getToken alone would accept it there; a session only ever rides in its cookie.
    expect(await whoIs({ authorization: `Bearer ${await sessionToken(alice)}` })).toEqual(SIGNED_OUT);
  });
});
