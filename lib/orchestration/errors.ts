// Why an agent's action was refused or failed: the HTTP status to answer with, a stable `code` for
// the agent's program, and a sentence (the message) for the person operating it. Extensions are
// extra problem+json members (RFC 9457), e.g. the provider's status; never a token or a provider body.
// Pure, so the MCP server, the route wrapper and tests share one class.

export class ActionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(message);
    this.name = "ActionError";
  }
}
