// Stripe's definition against its API reference (secret or restricted key as a bearer token; GET /v1/account), written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeApiKeyCredential } from "@/lib/testing/api-key-credential";

const key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

describe("Stripe", () => {
  describeApiKeyCredential("stripe", {
    apiBase: "https://api.stripe.com/v1",
    sample: { secret_key: key },
    malformed: [{ secret_key: "pk_test_4eC39HqLyjWDarjtT1zdp7dc" }, { secret_key: "sk_prod_4eC39HqLyjWDarjtT1zdp7dc" }],
    headers: { authorization: `Bearer ${key}` },
    verifyPath: "/account",
    showsLastFour: true,
  });
});
