// GET /api/v1/audit - audit events: mine, or the whole tenant for admins; filterable, paginated
// newest first (`before` cursor), or exported whole with ?format=jsonl|csv (streamed page by page).
import { listAuditEvents } from "@/lib/audit/events";
import { toCsv, toJsonl } from "@/lib/audit/export";
import { auditQuery } from "@/lib/audit/schemas";
import { BadRequestError } from "@/lib/errors";
import { describeIssues, withPerson } from "@/lib/http/route";

const EXPORT_PAGE = 500;

export const GET = withPerson({}, async ({ person, req }) => {
  const parsed = auditQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues, "query"));
  const q = parsed.data;
  if (q.format === "json") return listAuditEvents(person, q);

  const csv = q.format === "csv";
  const encoder = new TextEncoder();
  let before = q.before;
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await listAuditEvents(person, { ...q, before, limit: EXPORT_PAGE });
      controller.enqueue(encoder.encode(csv ? toCsv(page.events, first) : toJsonl(page.events)));
      first = false;
      if (page.nextBefore === null) controller.close();
      else before = page.nextBefore;
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${person.tenantId}-${stamp}.${csv ? "csv" : "jsonl"}"`,
      "cache-control": "no-store",
    },
  });
});
