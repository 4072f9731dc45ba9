// Human approvals through the real portal, the real agent API and the bundled Demo Tasks provider:
// bob registers an agent whose ceiling asks the person first for creating tasks, alice grants it
// access with "Ask me before writes"; the agent's write answers 202 and nothing reaches the provider;
// alice sees the count in the navigation and exactly what would be sent on the Approvals page, and
// approves; the agent's poll says approved, its retry of the same request succeeds, once, and a
// second retry is refused. Alice disconnects at the end, leaving her Connections page empty for the
// other specs that share this portal.
import { randomUUID } from "node:crypto";

import type { APIRequestContext, Page } from "@playwright/test";

import { connectDemoTasks, disconnect, registerAgent } from "./exposure/portal-steps";
import { expect, interactive, signInAs, test } from "./fixtures";

const AGENT = "Approval probe";
const TOOLS = ["demo-tasks.list_tasks", "demo-tasks.create_task"];

async function grantAskingFirst(page: Page, connectionId: string): Promise<void> {
  await test.step(`alice grants ${AGENT} read+write, asking her before writes`, async () => {
    await page.goto(`/connections/${connectionId}`);
    await interactive(page);
    const form = page.getByRole("region", { name: "Grant an agent" });
    await form.getByLabel("Agent", { exact: true }).selectOption({ label: AGENT });
    for (const scope of ["tasks.read", "tasks.write"]) await form.getByRole("group", { name: "Scopes" }).getByLabel(scope, { exact: true }).check();
    for (const tool of TOOLS) await form.getByRole("group", { name: "Tools" }).getByLabel(tool, { exact: true }).check();
    await form.getByLabel("Ask me before writes").check();
    await form.getByLabel("Expires in", { exact: true }).selectOption({ label: "7 days" });
    await form.getByRole("button", { name: "Grant access" }).click();
    await expect(form.getByRole("status")).toHaveText("Access granted.");
  });
}

test("an agent's write waits for alice's approval on the Approvals page, then its retry passes once", async ({ browser, playwright, baseURL }) => {
  test.setTimeout(180_000);
  const agentCtx: APIRequestContext = await playwright.request.newContext({ baseURL });
  const title = `Approved task ${randomUUID()}`;
  const bob = await (await browser.newContext()).newPage();
  const alice = await (await browser.newContext()).newPage();
  await signInAs(bob, "bob@acme.test");
  await signInAs(alice, "alice@acme.test");

  const connectionId = await connectDemoTasks(alice);
  const agent = await registerAgent(bob, AGENT, { tools: TOOLS, methods: ["GET", "POST"], paths: ["/tasks/**"], days: 30 });
  await test.step("bob's ceiling asks the person first for demo-tasks.create_task", async () => {
    await agent.card.getByRole("group", { name: "Ask first for these tool calls" }).getByLabel("demo-tasks.create_task", { exact: true }).check();
    await agent.card.getByRole("button", { name: "Save ceiling", exact: true }).click();
    await expect(agent.card.getByRole("status")).toHaveText("Ceiling saved.");
    await expect(agent.card).toContainText("asks first for demo-tasks.create_task");
  });
  await grantAskingFirst(alice, connectionId);

  const token = await test.step("the agent exchanges its delegation for a vault token", async () => {
    const form = { grant_type: "client_credentials", client_id: agent.clientId, client_secret: agent.clientSecret };
    const agentToken = (await (await agentCtx.post("/api/oauth/token", { form })).json()).access_token as string;
    const list = await (await agentCtx.get("/api/v1/delegations", { headers: { authorization: `Bearer ${agentToken}` } })).json();
    const delegation = (list.delegations as Array<{ id: string; connectionId: string }>).find((d) => d.connectionId === connectionId)!;
    const res = await agentCtx.post("/api/oauth/token", {
      form: {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: delegation.id,
        subject_token_type: "urn:tokenvault:params:oauth:token-type:delegation-id",
        client_id: agent.clientId,
        client_secret: agent.clientSecret,
      },
    });
    expect(res.status()).toBe(200);
    return (await res.json()).access_token as string;
  });
  const auth = { authorization: `Bearer ${token}` };
  const create = (headers: Record<string, string> = {}) =>
    agentCtx.post("/api/v1/tools/demo_tasks__create_task", { headers: { ...auth, ...headers }, data: { input: { title } } });
  const titles = async () => {
    const res = await agentCtx.post("/api/v1/tools/demo_tasks__list_tasks", { headers: auth, data: { input: {} } });
    expect(res.status()).toBe(200);
    return ((await res.json()).output.tasks as Array<{ title: string }>).map((t) => t.title);
  };

  const approval = await test.step("the agent's write answers 202 pending, and nothing reaches Demo Tasks", async () => {
    const res = await create();
    expect(res.status()).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ approval_id: expect.any(String), status: "pending", expires_at: expect.any(String) });
    expect(res.headers()["location"]).toBe(body.url);
    const poll = await agentCtx.get(`/api/v1/approvals/${body.approval_id}`, { headers: auth });
    expect((await poll.json()).status).toBe("pending");
    expect(await titles()).not.toContain(title);
    return body as { approval_id: string; url: string };
  });

  await test.step("alice sees the count in the navigation and exactly what would be sent, and approves", async () => {
    await alice.goto("/connections");
    await expect(alice.getByTestId("approvals-count")).toHaveText("1");
    await alice.getByRole("link", { name: /Approvals/ }).click();
    await expect(alice).toHaveURL(/\/approvals$/);
    const item = alice.getByRole("listitem", { name: `${AGENT}: demo-tasks.create_task` });
    await expect(item).toContainText("waiting for you");
    await expect(item).toContainText("POST /tasks");
    await expect(item).toContainText(title);
    await item.getByRole("button", { name: "Approve" }).click();
    await expect(item).toContainText("approved, not used yet");
    await expect(item.getByRole("button", { name: "Approve" })).toHaveCount(0);
    await expect(alice.getByTestId("approvals-count")).toHaveCount(0);
  });

  await test.step("the agent's poll says approved; its retry of the same request passes, once", async () => {
    expect((await (await agentCtx.get(`/api/v1/approvals/${approval.approval_id}`, { headers: auth })).json()).status).toBe("approved");
    const passed = await create({ "x-approval-id": approval.approval_id });
    expect(passed.status()).toBe(200);
    const body = await passed.json();
    expect(body.output.task.title).toBe(title);
    expect(body.receipt).toEqual(expect.any(String));
    expect(await titles()).toContain(title);
    expect((await (await agentCtx.get(`/api/v1/approvals/${approval.approval_id}`, { headers: auth })).json()).status).toBe("used");
    const again = await create({ "x-approval-id": approval.approval_id });
    expect(again.status()).toBe(409);
    expect((await again.json()).code).toBe("approval_used");
  });

  await test.step("alice's page shows it done", async () => {
    await alice.reload();
    await expect(alice.getByRole("listitem", { name: `${AGENT}: demo-tasks.create_task` })).toContainText("approved and done");
  });

  await disconnect(alice, connectionId);
  await alice.goto("/connections");
  await agentCtx.dispose();
});
