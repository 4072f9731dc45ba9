// Twilio's definition against its API reference (HTTP basic auth, Account SID as the user name and auth
// token as the password; resources under /2010-04-01/Accounts/{AccountSid}), written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeApiKeyCredential } from "@/lib/testing/api-key-credential";

const sid = "AC0123456789abcdef0123456789abcdef";
const token = "fedcba9876543210fedcba9876543210";

describe("Twilio", () => {
  describeApiKeyCredential("twilio", {
    apiBase: `https://api.twilio.com/2010-04-01/Accounts/${sid}`,
    sample: { account_sid: sid, auth_token: token },
    malformed: [
      { account_sid: "SK0123456789abcdef0123456789abcdef", auth_token: token },
      { account_sid: sid, auth_token: "not-a-token" },
    ],
    headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}` },
    verifyPath: "/Calls.json?PageSize=1",
    showsLastFour: false,
  });
});
