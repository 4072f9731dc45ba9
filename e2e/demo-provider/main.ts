import { parseArgs } from "node:util";
import { startDemoProvider } from "./server.js";

// Usage: tsx e2e/demo-provider/main.ts --port 4010 --client-id vault --client-secret s3cret \
//          --redirect-uri http://127.0.0.1:3000/callback [--redirect-uri ...] [--test-controls] \
//          [--refresh-token-grace-seconds N]
const USAGE =
  "usage: main.ts --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI...] [--port N] [--test-controls] [--refresh-token-grace-seconds N]";
// A portal stopped between the provider's answer and storing it asks again after its refresh lease
// (30 s), or at the refresh engine's next sweep (5 min): the demo honours a lost answer for longer.
const DEFAULT_REFRESH_TOKEN_GRACE_SECONDS = 600;

function fail(message: string): never {
  console.error(`demo provider: ${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "test-controls": { type: "boolean", default: false },
      "refresh-token-grace-seconds": { type: "string" },
    },
    strict: true,
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail("--port must be an integer 0-65535");
const clientId = values["client-id"];
const clientSecret = values["client-secret"];
const redirectUris = values["redirect-uri"] ?? [];
if (!clientId) fail("--client-id is required");
if (!clientSecret) fail("--client-secret is required");
if (redirectUris.length === 0) fail("at least one --redirect-uri is required");
const graceSeconds = Number(values["refresh-token-grace-seconds"] ?? DEFAULT_REFRESH_TOKEN_GRACE_SECONDS);
if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 86_400) fail("--refresh-token-grace-seconds must be an integer 0-86400");

const provider = await startDemoProvider({
  port,
  clients: [{ clientId, clientSecret, redirectUris }],
  testControls: values["test-controls"],
  refreshTokenGraceSeconds: graceSeconds,
});
// The parent process waits for exactly this line to learn the issuer.
console.log(`demo provider listening on ${provider.issuer}`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await provider.close();
    process.exit(0);
  } catch (err) {
    console.error(`demo provider: error while closing on ${signal}`, err);
    process.exit(1);
  }
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
