import "server-only";
// How many agent actions this process is working on right now. The audit writer reads it to decide
// whether a batch should wait a moment for company (several in flight) or go at once (just one).
import { setInFlightProbe } from "@/lib/audit/writer";

const g = globalThis as unknown as { __vaultActionsInFlight?: { n: number } };
const counter = (g.__vaultActionsInFlight ??= { n: 0 });
setInFlightProbe(() => counter.n);

/** Runs one whole action (decision, provider call, outcome) counted as in flight. */
export async function actionInFlight<T>(fn: () => Promise<T>): Promise<T> {
  counter.n += 1;
  try {
    return await fn();
  } finally {
    counter.n -= 1;
  }
}
