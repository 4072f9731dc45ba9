// Zod issues as sentences that name the field, for problem details, the portal's forms and the
// operator's providers file alike. Pure (no server-only) so a client form reports exactly what the
// handler would.
import type { z } from "zod";

/** One sentence per problem, naming the field the way a person would point at it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], where = "request body"): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const field = fieldName(issue.path);
      const text = issueText(issue);
      return field ? `Field "${field}" ${text}.` : `The ${where} ${text}.`;
    })
    .join(" ");
}

/** `["scopes", 0, "name"]` -> `scopes[0].name`, the way a person would point at it in the JSON. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

/** What is wrong, as the end of a sentence about the field: "is missing", "must be a list". */
export function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `has unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is missing";
  if (issue.code === "invalid_type") return `must be ${issue.expected === "array" ? "a list" : `a ${issue.expected}`}`;
  if (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) <= 1) return "must not be empty";
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}
