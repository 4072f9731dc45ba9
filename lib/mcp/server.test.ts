// The MCP server's mapping, with the action layer (listToolsFor, runTool) replaced: tools/list passes each tool's JSON Schema
// through, tools/call returns the output as structured content with the receipt in _meta, and every
// failure is a tool result with isError, the sentence and the code, never an internal message.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const tools = vi.hoisted(() => ({ listToolsFor: vi.fn(), runTool: vi.fn() }));
const logged = vi.hoisted(() => ({ error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() }));

vi.mock("@/lib/orchestration/tools", () => tools);
vi.mock("@/lib/log", () => ({ log: logged }));
const { VaultError } = await import("@/lib/errors");
const { VaultCallError } = await import("@/lib/vault/call/errors");
const { createMcpServer, APPROVAL_ID_META_KEY, APPROVAL_META_KEY, ERROR_META_KEY, RECEIPT_META_KEY } = await import("./server");
const { mcpToolName } = await import("./tool-names");
const { ApprovalPending } = await import("@/lib/approvals/pending");

type Caller = Parameters<typeof createMcpServer>[0];
// The action layer is replaced here, so of the caller's facts only the connection's provider and label are read (to name tools).
const caller = {
  kind: "delegation",
  tenantId: "acme",
  agent: { id: "agent-1", clientId: "agt_1", name: "Agent" },
  delegationId: "del-1",
  connectionId: "cnx-1",
  userArn: "arn:tokenvault:acme:user/alice",
  scopes: ["tasks.read", "tasks.write"],
  tokenId: "jti-1",
  expiresAt: new Date(Date.now() + 300_000),
  facts: { connection: { id: "cnx-1", provider: "demo-tasks", label: "alice@demo-tasks.test" } },
} as unknown as Caller;
// As listToolsFor lists them: with the MCP name the catalogue gives each tool.
const createTask = {
  name: "demo-tasks.create_task",
  mcpName: "demo_tasks__create_task",
  title: "Create a task",
  description: "Create a task with a title.",
  inputSchema: { type: "object", properties: { title: { type: "string", minLength: 1, maxLength: 200 } }, required: ["title"], additionalProperties: false },
};
const listTasks = {
  name: "demo-tasks.list_tasks",
  mcpName: "demo_tasks__list_tasks",
  title: "List tasks",
  description: "List the person's tasks.",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
};

/** A listing as an MCP client sees it: the MCP name is its `name` there. */
function withoutMcpName<T extends { mcpName: string }>(listing: T): Omit<T, "mcpName"> {
  const { mcpName: _, ...rest } = listing;
  return rest;
}

let client: Client;
let close: () => Promise<void>;

beforeEach(async () => {
  vi.clearAllMocks();
  tools.listToolsFor.mockReset().mockReturnValue([]);
  const server = createMcpServer([caller as never], { requestId: "req-42" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  client = new Client({ name: "test-agent", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  close = async () => {
    await client.close();
    await server.close();
  };
});

afterEach(async () => close());

const taskSchema = {
  type: "object",
  properties: { id: { type: "string" }, title: { type: "string" }, done: { type: "boolean" }, createdAt: { type: "string" } },
  required: ["id", "title", "done", "createdAt"],
  additionalProperties: false,
};

describe("MCP server", () => {
  it("advertises tools without list-changed notifications (it sends none)", () => {
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: false });
  });

  it("lists the delegation's tools by their MCP names, with their JSON Schemas and hints", async () => {
    tools.listToolsFor.mockReturnValue([createTask, listTasks]);
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools: listed } = await client.listTools();
    expect(tools.listToolsFor).toHaveBeenCalledWith(caller);
    expect(listed).toEqual([
      {
        ...withoutMcpName(createTask),
        name: "demo_tasks__create_task",
        outputSchema: { type: "object", properties: { task: taskSchema }, required: ["task"], additionalProperties: false },
        annotations: { title: "Create a task", readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      },
      {
        ...withoutMcpName(listTasks),
        name: "demo_tasks__list_tasks",
        outputSchema: { type: "object", properties: { tasks: { type: "array", items: taskSchema } }, required: ["tasks"], additionalProperties: false },
        annotations: { title: "List tasks", readOnlyHint: true, openWorldHint: true },
      },
    ]);
  });

  it("hints that a delete destroys, and leaves the hint out where the verb does not say", async () => {
    const meta = (name: string) => ({ name, mcpName: mcpToolName(name), title: name, description: "d", inputSchema: { type: "object" } });
    tools.listToolsFor.mockReturnValue([meta("demo-tasks.delete_task"), meta("slack.set_status"), meta("slack.post_message")]);
    const { tools: listed } = await client.listTools();
    expect(listed.map((t) => [t.name, t.annotations?.readOnlyHint, t.annotations?.destructiveHint])).toEqual([
      ["demo_tasks__delete_task", false, true],
      ["slack__set_status", false, undefined],
      ["slack__post_message", false, false],
    ]);
  });

  it("names the tools of two connections to one provider apart, by account, and runs each on its own delegation", async () => {
    const on = (id: string, label: string) =>
      ({ ...caller, delegationId: `del-${id}`, connectionId: id, facts: { connection: { id, provider: "demo-tasks", label } } }) as unknown as Caller[number];
    const work = on("c0ffee00-1111-4111-8111-111111111111", "alice@demo-tasks.test");
    const home = on("beef0000-2222-4222-8222-222222222222", "carol@demo-tasks.test");
    tools.listToolsFor.mockImplementation((c: { connectionId: string }) => (c.connectionId === work.connectionId ? [listTasks, createTask] : [listTasks]));
    const server = createMcpServer([work, home], { requestId: "req-43" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const two = new Client({ name: "test-agent", version: "1.0.0" });
    await Promise.all([server.connect(serverSide), two.connect(clientSide)]);
    const { tools: listed } = await two.listTools();
    expect(listed.map((t) => [t.name, t.title])).toEqual([
      ["demo_tasks_alice__list_tasks", "List tasks (alice@demo-tasks.test)"],
      ["demo_tasks_alice__create_task", "Create a task (alice@demo-tasks.test)"],
      ["demo_tasks_carol__list_tasks", "List tasks (carol@demo-tasks.test)"],
    ]);
    expect(listed[2]!.description).toBe("On carol@demo-tasks.test: List the person's tasks.");
    tools.runTool.mockResolvedValue({ output: { tasks: [] }, receipt: "r" });
    await two.callTool({ name: "demo_tasks_carol__list_tasks", arguments: {} });
    expect(tools.runTool).toHaveBeenLastCalledWith(home, "demo-tasks.list_tasks", {}, { requestId: "req-43", channel: "mcp" });
    await two.callTool({ name: "demo_tasks_alice__list_tasks", arguments: {} });
    expect(tools.runTool).toHaveBeenLastCalledWith(work, "demo-tasks.list_tasks", {}, { requestId: "req-43", channel: "mcp" });

    // Accounts that look alike (the same local part) are told apart by their connection ids instead.
    const other = on("abcdef12-3333-4333-8333-333333333333", "alice@work.example");
    tools.listToolsFor.mockReturnValue([listTasks]);
    const names = [...(await import("./server")).sessionTools([work, other]).keys()];
    expect(names).toEqual(["demo_tasks_c0ffee00__list_tasks", "demo_tasks_abcdef12__list_tasks"]);
    await two.close();
    await server.close();
  });

  it("returns the output as structured content and text, with the receipt in _meta", async () => {
    const output = { task: { id: "t1", title: "Buy milk", done: false, createdAt: "2026-01-01T00:00:00Z" } };
    tools.runTool.mockResolvedValue({ output, receipt: "eyJ.receipt.sig" });
    const result = await client.callTool({ name: "demo_tasks__create_task", arguments: { title: "Buy milk" } });
    expect(tools.runTool).toHaveBeenCalledWith(caller, "demo-tasks.create_task", { title: "Buy milk" }, { requestId: "req-42", channel: "mcp" });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual(output);
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify(output) }]);
    expect(result._meta).toEqual({ [RECEIPT_META_KEY]: "eyJ.receipt.sig" });
  });

  it("leaves structuredContent out when the output is not an object", async () => {
    tools.runTool.mockResolvedValue({ output: ["a", "b"], receipt: "r" });
    const result = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    expect(result.structuredContent).toBeUndefined();
    expect(result.content).toEqual([{ type: "text", text: '["a","b"]' }]);
  });

  it("passes an empty input when the call has no arguments", async () => {
    tools.runTool.mockResolvedValue({ output: { tasks: [] }, receipt: "r" });
    await client.callTool({ name: "demo_tasks__list_tasks" });
    expect(tools.runTool).toHaveBeenCalledWith(caller, "demo-tasks.list_tasks", {}, { requestId: "req-42", channel: "mcp" });
  });

  it("a call held for the person's approval says so (isError, what to do) with the approval in _meta, and is not a result", async () => {
    const approval = {
      approval_id: "apr-1",
      status: "pending" as const,
      expires_at: "2026-01-01T00:15:00.000Z",
      kind: "tool" as const,
      tool: "demo-tasks.create_task",
      method: "POST",
      path: "/tasks",
      url: "http://localhost:3000/api/v1/approvals/apr-1",
    };
    tools.runTool.mockRejectedValue(new ApprovalPending(approval));
    const result = await client.callTool({ name: "demo_tasks__create_task", arguments: { title: "Buy milk" } });
    expect(result.isError).toBe(true);
    expect(result._meta).toEqual({ [APPROVAL_META_KEY]: approval });
    const text = (result.content as { text: string }[])[0]!.text;
    expect(text).toMatch(/approve/);
    expect(text).toContain("apr-1");
    expect(text).toContain(approval.url);
    expect(text).toMatch(/same arguments/);
    expect(result.structuredContent).toBeUndefined();
  });

  it("a retry may name its approval in the call's _meta, which reaches the action as the approval reference", async () => {
    tools.runTool.mockResolvedValue({ output: { task: {} }, receipt: "r" });
    await client.callTool({ name: "demo_tasks__create_task", arguments: { title: "Buy milk" }, _meta: { [APPROVAL_ID_META_KEY]: "apr-1" } });
    expect(tools.runTool).toHaveBeenLastCalledWith(
      caller,
      "demo-tasks.create_task",
      { title: "Buy milk" },
      { requestId: "req-42", channel: "mcp", approvalReference: "apr-1" },
    );
  });

  it.each([
    [400, "invalid_input", "The input is not valid: title must not be empty."],
    [403, "tool_not_delegated", "This delegation does not include the tool demo-tasks.delete_task."],
    [404, "tool_unknown", "There is no tool named nope."],
    [409, "connection_needs_reconnect", "Demo Tasks refused the refresh token: ask the person to reconnect Demo Tasks."],
    [502, "provider_error", "Demo Tasks answered with an error: try again later."],
  ])("turns an action refused with %i into an isError result with the sentence and code %s", async (status, code, sentence) => {
    tools.runTool.mockRejectedValue(new VaultError(status, code, sentence));
    const result = await client.callTool({ name: "demo_tasks__create_task", arguments: {} });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: "text", text: `${sentence} (code: ${code})` }]);
    expect(result._meta).toEqual({ [ERROR_META_KEY]: { code, status } });
    expect(result.structuredContent).toBeUndefined();
  });

  it("keeps the refusal's extension members next to the code and status", async () => {
    tools.runTool.mockRejectedValue(new VaultError(403, "tool_not_delegated", "Not delegated.", { layer: "delegation", code: "overwritten?" }));
    const result = await client.callTool({ name: "demo_tasks__delete_task", arguments: { id: "t1" } });
    expect(result._meta).toEqual({ [ERROR_META_KEY]: { layer: "delegation", code: "tool_not_delegated", status: 403 } });
  });

  it("turns a vault call error that escaped into an isError result with its code", async () => {
    tools.runTool.mockRejectedValue(new VaultCallError("provider_timeout", "Demo Tasks did not answer in time: try again."));
    const result = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    expect(result).toMatchObject({ isError: true, _meta: { [ERROR_META_KEY]: { code: "provider_timeout", status: 504 } } });
  });

  it("hides the message of an unexpected failure and logs it instead", async () => {
    tools.runTool.mockRejectedValue(new Error("decrypt failed for access token at-SECRET-123"));
    const result = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).not.toContain("SECRET");
    expect(result.content).toEqual([{ type: "text", text: expect.stringContaining("report request req-42") }]);
    expect(result._meta).toEqual({ [ERROR_META_KEY]: { code: "internal_error", status: 500 } });
    expect(logged.error).toHaveBeenCalledOnce();
  });

  it("answers a failed tools/list with a JSON-RPC error that names no internals", async () => {
    tools.listToolsFor.mockImplementation(() => {
      throw new Error("connection refused to postgres://vault:hunter2@db");
    });
    const error = await client.listTools().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("could not be listed");
    expect(error?.message).not.toContain("hunter2");
  });

  it("answers a refused tools/list with the refusal's sentence and code", async () => {
    tools.listToolsFor.mockImplementation(() => {
      throw new VaultError(404, "delegation_unknown", "The delegation behind this token no longer exists: ask the person to grant access again.");
    });
    const error = (await client.listTools().then(
      () => null,
      (e: unknown) => e,
    )) as { message: string; data?: unknown } | null;
    expect(error?.message).toContain("no longer exists");
    expect(error?.data).toEqual({ code: "delegation_unknown", status: 404 });
  });
});
