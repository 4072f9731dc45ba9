// Zod issues as sentences that name the field, for problem details and for the portal's forms alike.
// Pure (no server-only) so a client form reports exactly what the handler would.
import type { z } from "zod";

/** One sentence per problem, naming the field the way a person would point at it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], where = "request body"): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const field = issue.path.reduce<string>(
        (out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
        "",
      );
      const text = issueText(issue);
      return field ? `Field "${field}" ${text}.` : `The ${where} ${text}.`;
    })
    .join(" ");
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is missing";
  if (issue.code === "invalid_type") return `must be ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
  if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) <= 1) return "must not be empty";
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
