// Whether an error means the database is not answering (down, restarting, unreachable, out of
// connections) rather than a fault in the request or the code: the routes then answer 503 with
// Retry-After, and the next request after it is back works, with no restart of the portal (the
// driver's pool opens new connections by itself). Pure: reads error objects only.
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, and connection exceptions.
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // Prisma: cannot reach the server, the server closed the connection, timed out waiting for a pooled connection.
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
const MESSAGES =
  /connection terminated|terminating connection due to administrator command|the database system is (?:starting up|shutting down)|connection (?:refused|timeout)|can't reach database server|server closed the connection|client has encountered a connection error/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const o = e as { code?: unknown; errno?: unknown; message?: unknown; originalCode?: unknown; kind?: unknown };
    for (const c of [o.code, o.originalCode, o.errno]) if (typeof c === "string" && CODES.has(c)) return true;
    if (typeof o.message === "string" && MESSAGES.test(o.message)) return true;
  }
  return false;
}
