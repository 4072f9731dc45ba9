import "server-only";
// The one logger of the app. Redaction happens here, not at call sites: every argument of every call
// goes through scrub() before pino sees it, and the finished line is scrubbed once more, because
// serializers, child bindings and printf interpolation can assemble strings after the first pass.
import pino from "pino";

import { env } from "@/lib/env";
import { scrub, scrubSerialized } from "@/lib/log/redact";

type Level = pino.LevelWithSilent;

const HEADER_NAMES = ["authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key"];
const HEADER_HOLDERS = ["headers", "req.headers", "res.headers", "request.headers", "response.headers", "*.headers"];

// Belt and braces for the common shapes; scrub() already handles these keys at any depth and case.
const REDACT_PATHS = HEADER_HOLDERS.flatMap((holder) => HEADER_NAMES.map((name) => `${holder}["${name}"]`));

function configuredLevel(): Level {
  try {
    return env().logLevel;
  } catch {
    // A bad configuration is reported by whoever starts the app; logging it must still work.
    return "info";
  }
}

/** Builds a logger with the app's redaction; tests pass a destination to capture the output. */
export function createLogger(destination?: pino.DestinationStream, level: Level = configuredLevel()): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    formatters: {
      bindings: (bindings) => scrub(bindings) as pino.Bindings,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => scrub(a)) as Parameters<pino.LogFn>;
        method.apply(this, scrubbed);
      },
      streamWrite: (line) => scrubSerialized(line),
    },
  };
  const logger = pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
  // pino applies formatters.bindings to the root only; children (Object.create of their parent)
  // inherit this override, so every child's bindings are scrubbed too.
  const original = logger.child;
  logger.child = function scrubbedChild(this: pino.Logger, bindings, childOptions) {
    return original.call(this, scrub(bindings) as pino.Bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

const holder = globalThis as unknown as { __vaultLogger?: pino.Logger };

// One instance even when Next loads this module into several bundles or reloads it in development.
export const log: pino.Logger = holder.__vaultLogger ?? (holder.__vaultLogger = createLogger());
