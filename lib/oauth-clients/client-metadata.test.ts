// Client metadata as the vault reads it from a registration or a metadata document: the RFC 7591
// code of each refusal (invalid_redirect_uri for the redirect URIs, invalid_client_metadata for the
// rest) with a sentence naming the field; unknown fields ignored; defaults as RFC 7591 sets them.
import { describe, expect, it } from "vitest";

import { readClientMetadata } from "./client-metadata";
import { RegistrationError } from "./errors";

const base = { redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "none" };

function refusal(input: unknown, source: "registration" | "document" = "registration"): RegistrationError {
  try {
    readClientMetadata(input, source);
  } catch (e) {
    expect(e).toBeInstanceOf(RegistrationError);
    expect((e as RegistrationError).message).toMatch(/^[A-Za-z_"].*\.$/);
    return e as RegistrationError;
  }
  throw new Error("the metadata was accepted");
}

describe("readClientMetadata", () => {
  it("reads what a stock MCP client sends, ignoring what it does not know", () => {
    const m = readClientMetadata(
      {
        ...base,
        client_name: "  Inspector ",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        client_uri: "https://app.example.com",
        logo_uri: "https://app.example.com/logo.png",
        scope: "mcp",
        software_id: "x",
        contacts: ["a@example.com"],
      },
      "registration",
    );
    expect(m).toEqual({
      redirectUris: ["https://app.example.com/cb"],
      name: "Inspector",
      clientUri: "https://app.example.com",
      logoUri: "https://app.example.com/logo.png",
      authMethod: "none",
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
      applicationType: "web",
      native: false,
    });
  });

  it("defaults as RFC 7591 does: client_secret_basic for a registration, authorization_code and code", () => {
    const m = readClientMetadata({ redirect_uris: ["https://a.example/cb"] }, "registration");
    expect(m).toMatchObject({ authMethod: "client_secret_basic", grantTypes: ["authorization_code"], responseTypes: ["code"], name: null });
    expect(readClientMetadata({ redirect_uris: ["https://a.example/cb"] }, "document").authMethod).toBe("none");
  });

  it("is native when it says so or when every redirect URI is loopback or private-use", () => {
    expect(readClientMetadata({ ...base, redirect_uris: ["http://127.0.0.1/cb"] }, "registration")).toMatchObject({ native: true, applicationType: "native" });
    expect(
      readClientMetadata({ ...base, application_type: "native", redirect_uris: ["https://a.example/cb", "http://127.0.0.1/cb"] }, "registration").native,
    ).toBe(true);
    expect(readClientMetadata({ ...base, redirect_uris: ["https://a.example/cb", "http://127.0.0.1/cb"] }, "registration").native).toBe(false);
  });

  it("refuses bad redirect URIs as invalid_redirect_uri", () => {
    for (const redirect_uris of [undefined, [], "https://a.example/cb", ["https://a.example/cb#x"], ["javascript:alert(1)"], ["http://a.example/cb"], [1]]) {
      expect(refusal({ ...base, redirect_uris }).code, JSON.stringify(redirect_uris)).toBe("invalid_redirect_uri");
    }
    expect(refusal({ ...base, redirect_uris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }).message).toMatch(/at most 10/);
    expect(refusal({ ...base, redirect_uris: ["https://a.example/ok", "https://a.example/x#y"] }).message).toBe(
      "redirect_uris[1] must not contain a fragment (#).",
    );
  });

  it("refuses other bad metadata as invalid_client_metadata, naming the field", () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /JSON object/],
      [[base], /JSON object/],
      [{ ...base, token_endpoint_auth_method: "private_key_jwt" }, /private_key_jwt.*not supported/],
      [{ ...base, token_endpoint_auth_method: "client_secret_jwt" }, /not supported/],
      [{ ...base, grant_types: ["client_credentials"] }, /grant_types may hold only/],
      [{ ...base, grant_types: ["refresh_token"] }, /must include "authorization_code"/],
      [{ ...base, grant_types: "authorization_code" }, /grant_types must be a list/],
      [{ ...base, response_types: ["token"] }, /response_types/],
      [{ ...base, client_name: 7 }, /client_name must be a string/],
      [{ ...base, client_name: "x".repeat(101) }, /client_name must be at most 100/],
      [{ ...base, logo_uri: "http://a.example/logo.png" }, /logo_uri must be an https URL/],
      [{ ...base, client_uri: "javascript:alert(1)" }, /client_uri must be an https URL/],
      [{ ...base, application_type: "desktop" }, /application_type must be "web" or "native"/],
    ];
    for (const [input, why] of cases) {
      const e = refusal(input);
      expect(e.code, JSON.stringify(input)).toBe("invalid_client_metadata");
      expect(e.message).toMatch(why);
    }
  });

  it("refuses a secret or a secret method in a metadata document", () => {
    expect(refusal({ ...base, client_secret: "s3cret" }, "document").message).toMatch(/must not contain a client_secret/);
    expect(refusal({ ...base, token_endpoint_auth_method: "client_secret_basic" }, "document").message).toMatch(/must be "none"/);
    expect(refusal({ ...base, token_endpoint_auth_method: "private_key_jwt" }, "document").message).toMatch(/private_key_jwt/);
  });
});
