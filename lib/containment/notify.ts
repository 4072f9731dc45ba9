import "server-only";
// The "notify" enforcement's hook: a notification intent is recorded (an Enforcement row and its
// audit event, written by lib/containment/enforce.ts) and then handed to every subscriber in this
// process, for instance the webhook deliverer. A subscriber that throws or rejects is logged and does
// not stop the others or the enforcement. Touches nothing but its own listener list.
import { log } from "@/lib/log";

import type { AlertDto } from "./schemas";

/** What a subscriber receives: the alert as an administrator sees it, and the enforcement that asked. */
export type ContainmentNotification = {
  type: "containment.alert";
  tenantId: string;
  enforcementId: string;
  policyId: string;
  alert: AlertDto;
  at: string;
};

export type NotificationListener = (n: ContainmentNotification) => void | Promise<void>;

const g = globalThis as unknown as { __vaultContainmentListeners?: Set<NotificationListener> };
const listeners = (g.__vaultContainmentListeners ??= new Set());

/** Subscribes to notification intents; returns the function that unsubscribes. */
export function onContainmentNotification(listener: NotificationListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Hands an intent to every subscriber; waits for them, never throws. */
export async function emitContainmentNotification(n: ContainmentNotification): Promise<void> {
  await Promise.all(
    [...listeners].map(async (l) => {
      try {
        await l(n);
      } catch (err) {
        log.error({ err, tenantId: n.tenantId, alertId: n.alert.id }, "a containment notification subscriber failed");
      }
    }),
  );
}
