import "server-only";
// The answer to any path under /api/ that no route serves: problem+json 404 for every method, never
// Next's HTML page, so an agent that mistyped a path reads a sentence and a code.
import { problem } from "@/lib/http/problem";

const MAX_PATH = 200;

export function apiNotFound(req: Request): Response {
  const path = new URL(req.url).pathname;
  const shown = path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}...` : path;
  return problem({
    status: 404,
    code: "not_found",
    title: "Not found",
    detail: `There is nothing at ${shown}: GET /api/openapi.json lists every path of the agent API.`,
  });
}
