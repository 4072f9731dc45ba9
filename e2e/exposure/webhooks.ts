// The webhook side of the zero-exposure journey: a receiver on 127.0.0.1 (demo mode lets the vault
// deliver there) that verifies every delivery's signature and adds its headers and body to the
// corpus, and bob creating the webhook on the portal's Webhooks page, reading its secret from the
// once-only region. The receiver is the outside party the vault talks to: what it got is scanned.
import http from "node:http";
import type { AddressInfo } from "node:net";

import type { Page } from "@playwright/test";

import { verifyWebhookSignature } from "../../lib/webhooks/signature";
import { expect, test } from "../fixtures";
import { headerText, type Corpus } from "./corpus";

export type Delivery = { type: string; body: string; verified: boolean };

export async function startWebhookReceiver(corpus: Corpus, secret: () => string) {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const type = String(req.headers["x-vault-event-type"] ?? "");
      const verified = verifyWebhookSignature(secret(), String(req.headers["x-vault-signature"] ?? ""), body).ok;
      deliveries.push({ type, body, verified });
      corpus.add("webhook", `webhook ${type} headers`, headerText(req.headers as Record<string, string>));
      corpus.add("webhook", `webhook ${type} body`, body);
      res.writeHead(verified ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vault`;
  return {
    url,
    deliveries,
    /** Waits until a verified delivery of each type has arrived (the worker polls every second). */
    async waitFor(types: string[], ms = 30_000): Promise<void> {
      await expect
        .poll(() => types.filter((t) => !deliveries.some((d) => d.type === t && d.verified)), { timeout: ms, message: "webhook deliveries of every type" })
        .toEqual([]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Bob subscribes `url` to every event type on the Webhooks page, hands the secret shown once to the receiver, and sends a test event. */
export async function createWebhook(page: Page, url: string, receiverSecret: (secret: string) => void): Promise<string> {
  return test.step("bob subscribes a loopback receiver to every event type on the Webhooks page", async () => {
    await page.goto("/webhooks");
    await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
    await page.getByLabel("Receiver URL").fill(url);
    await page.getByLabel("Description (optional)").fill("Zero-exposure receiver");
    await page.getByRole("button", { name: "Create webhook" }).click();
    const region = page.getByRole("region", { name: "New webhook secret" });
    await expect(region).toContainText("shown only once");
    const secret = ((await region.locator("code.secret-value").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_/);
    receiverSecret(secret);
    await region.getByRole("button", { name: "Done" }).click();
    await expect(region).toHaveCount(0);
    const card = page.getByRole("listitem", { name: `Webhook ${url}` });
    await card.getByRole("button", { name: "Send test event" }).click();
    await expect(card.getByRole("cell", { name: "webhook_test" })).toBeVisible();
    await expect(card.locator("tr[data-status=delivered]").first()).toBeVisible({ timeout: 15_000 });
    return secret;
  });
}
