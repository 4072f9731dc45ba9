// The Alerts page in the browser: bob (admin) sees the empty state, an agent that keeps naming
// delegations that do not exist is refused often enough to open a denial-storm alert (a real agent
// at the real token endpoint), bob finds it on the page, filters, acknowledges and resolves it, adds
// a dry-run policy and sets a detector's threshold. alice has no connections before or after; the agent is deleted at the end.
import { expect, signInAs, test } from "./fixtures";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const DELEGATION_ID = "urn:tokenvault:params:oauth:token-type:delegation-id";

test("bob works through a denial-storm alert on the Alerts page", async ({ page, baseURL }) => {
  await signInAs(page, "bob@acme.test");
  const origin = { origin: new URL(baseURL!).origin };

  await test.step("the menu leads to the Alerts page, empty at first", async () => {
    await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Alerts" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No alerts yet" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No policies yet" })).toBeVisible();
  });

  const agent = await test.step("an agent is refused eleven times at the token endpoint", async () => {
    const res = await page.request.post("/api/v1/agents", { headers: origin, data: { name: "Prober", credentials: { secret: true } } });
    expect(res.status()).toBe(201);
    const made = (await res.json()) as { agent: { id: string }; client_id: string; client_secret: string };
    for (let i = 0; i < 11; i++) {
      const refused = await page.request.post("/api/oauth/token", {
        form: {
          grant_type: TOKEN_EXCHANGE,
          subject_token: `no-such-delegation-${i}`,
          subject_token_type: DELEGATION_ID,
          client_id: made.client_id,
          client_secret: made.client_secret,
        },
      });
      expect(refused.status()).toBe(400);
    }
    return made;
  });

  const card = page.getByRole("article", { name: "Repeated denials alert" });
  await test.step("the alert is listed, and the filters find it or say nothing matches", async () => {
    await page.reload();
    await expect(card).toContainText("refused this agent 11 times");
    await expect(card).toContainText("Agent Prober");
    await page.getByLabel("Severity").selectOption("critical");
    await expect(page.getByRole("heading", { name: "No alerts match these filters" })).toBeVisible();
    await page.getByLabel("Severity").selectOption("medium");
    await expect(card).toBeVisible();
    await page.getByLabel("Severity").selectOption("");
  });

  await test.step("acknowledge, then resolve", async () => {
    await card.getByRole("button", { name: "Acknowledge" }).click();
    await expect(card.locator(".badge.status-acknowledged")).toHaveText("acknowledged");
    await expect(card).toContainText("acknowledged");
    await card.getByRole("button", { name: "Resolve" }).click();
    await expect(card.locator(".badge.status-resolved")).toHaveText("resolved");
    await expect(card.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  });

  await test.step("a dry-run policy is added", async () => {
    const form = page.getByRole("form", { name: "Add a policy" });
    await form.getByLabel("When").selectOption("denial_storm");
    await form.getByLabel("fires,").selectOption("suspend");
    await form.getByRole("button", { name: "Add policy" }).click();
    await expect(page.locator("table.policies")).toContainText("Repeated denials");
    await expect(page.locator("table.policies")).toContainText("dry run");
  });

  await test.step("a detector's threshold is set for the organisation, and kept", async () => {
    const row = page.getByRole("row", { name: "Repeated denials" });
    await row.getByLabel("refusals above").fill("25");
    await row.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(async () => ((await (await page.request.get("/api/v1/policies")).json()) as { detectors: { detector: string; threshold: number }[] }).detectors)
      .toContainEqual(expect.objectContaining({ detector: "denial_storm", threshold: 25 }));
    await page.reload();
    await expect(page.getByRole("row", { name: "Repeated denials" }).getByLabel("refusals above")).toHaveValue("25");
  });

  await test.step("clean up: the agent is deleted", async () => {
    expect((await page.request.delete(`/api/v1/agents/${agent.agent.id}`, { headers: origin })).status()).toBe(200);
    expect((await page.request.get("/api/v1/connections")).status()).toBe(200);
  });
});
