import "server-only";

// The provider catalogue: validated built-ins, the operator's VAULT_PROVIDERS_FILE, admin-entered
// generic providers, and the merge of all three. Errors are sentences for the operator who has to
// fix a file at start-up: which provider, which field, what to do. Fields and problems are worded
// by lib/describe-issues.ts, as in every other answer and form.
import { readFile } from "node:fs/promises";
import type { z } from "zod";

import { fieldName, issueText } from "@/lib/describe-issues";
import { BUILTIN_DEFINITIONS } from "@/lib/providers";
import {
  genericProviderInput,
  providerDefinition,
  providersFile,
  type GenericProviderInput,
  type ProviderDefinition,
  type ProvidersFile,
} from "@/lib/providers/schemas";

export class ProviderCatalogueError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = "ProviderCatalogueError";
  }
}

/** One sentence per problem, naming the provider (by key when it has one) and the field. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown, where: string): string {
  const [top, index, ...rest] = issue.path;
  if (top === "providers" && typeof index === "number") {
    const entry = (raw as { providers?: unknown[] } | null)?.providers?.[index];
    const key = entry && typeof entry === "object" ? (entry as { key?: unknown }).key : undefined;
    const who = typeof key === "string" && key.trim() ? `Provider "${key.trim()}" (entry ${index + 1})` : `Provider entry ${index + 1}`;
    const field = fieldName(rest);
    return field ? `${who} in ${where}: field "${field}" ${issueText(issue)}.` : `${who} in ${where} ${issueText(issue)}.`;
  }
  const field = fieldName(issue.path);
  return field ? `In ${where}, field "${field}" ${issueText(issue)}.` : `${where} ${issueText(issue)}.`;
}

function fail(problems: string[], where: string): never {
  const head = problems.length === 1 ? problems[0]! : `${problems.length} problems in ${where}: ${problems.join(" ")}`;
  throw new ProviderCatalogueError(`${head} Fix it and start the vault again.`, problems);
}

/** Built-ins are checked once, as the module loads: a broken built-in must stop every start. */
const BUILTINS: readonly ProviderDefinition[] = Object.freeze(
  BUILTIN_DEFINITIONS.map((input) => {
    const parsed = providerDefinition.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `Built-in provider "${input.key}": field "${fieldName(i.path)}" ${issueText(i)}.`);
      throw new ProviderCatalogueError(`${problems.join(" ")} This is a bug in the vault; please report it.`, problems);
    }
    return Object.freeze(parsed.data);
  }),
);

export function builtinCatalogue(): readonly ProviderDefinition[] {
  return BUILTINS;
}

export type ProvidersFileResult = { ok: true; file: ProvidersFile } | { ok: false; error: string; problems: string[] };

/** Validates the parsed JSON of a providers file without throwing. */
export function safeParseProvidersFile(json: unknown, where = "the providers file"): ProvidersFileResult {
  const parsed = providersFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, json, where));
    const error = problems.length === 1 ? problems[0]! : `${problems.length} problems in ${where}: ${problems.join(" ")}`;
    return { ok: false, error, problems };
  }
  const seen = new Map<string, number>();
  const problems: string[] = [];
  parsed.data.providers.forEach((entry, i) => {
    const first = seen.get(entry.key);
    if (first !== undefined) problems.push(`${where} lists provider "${entry.key}" twice (entries ${first + 1} and ${i + 1}): keep one.`);
    else seen.set(entry.key, i);
  });
  if (problems.length > 0) return { ok: false, error: problems.join(" "), problems };
  return { ok: true, file: parsed.data };
}

/** Validates the parsed JSON of a providers file; throws a ProviderCatalogueError sentence. */
export function parseProvidersFile(json: unknown, where = "the providers file"): ProvidersFile {
  const result = safeParseProvidersFile(json, where);
  if (!result.ok) fail(result.problems, where);
  return result.file;
}

/** Reads VAULT_PROVIDERS_FILE (the path is the caller's; this module never reads the environment). */
export async function loadProvidersFile(path: string): Promise<ProvidersFile> {
  const where = `the providers file ${path}`;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ProviderCatalogueError(`Could not read ${where} (${code}): check VAULT_PROVIDERS_FILE points at a readable JSON file.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProviderCatalogueError(`${capitalise(where)} is not valid JSON (${(error as Error).message}): fix the syntax and start again.`);
  }
  return parseProvidersFile(json, where);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Built-ins first, in their order, with any file entry of the same key replacing the built-in in
 * place (an operator can point GitHub at GitHub Enterprise); new keys follow in file order.
 */
export function mergeCatalogue<T extends ProviderDefinition>(builtins: readonly ProviderDefinition[], extra: readonly T[]): (ProviderDefinition | T)[] {
  const byKey = new Map<string, T>();
  for (const entry of extra) {
    if (byKey.has(entry.key)) {
      throw new ProviderCatalogueError(`The extra providers list provider "${entry.key}" twice: keep one.`);
    }
    byKey.set(entry.key, entry);
  }
  const merged: (ProviderDefinition | T)[] = builtins.map((def) => byKey.get(def.key) ?? def);
  const builtinKeys = new Set(builtins.map((def) => def.key));
  for (const entry of extra) if (!builtinKeys.has(entry.key)) merged.push(entry);
  return merged;
}

/** Turns an admin's portal form into a catalogue definition that accepts any scope. */
export function genericDefinition(input: GenericProviderInput | unknown): ProviderDefinition {
  const parsed = genericProviderInput.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `Field "${fieldName(i.path)}" ${issueText(i)}.`);
    throw new ProviderCatalogueError(problems.join(" "), problems);
  }
  const form = parsed.data;
  return providerDefinition.parse({
    key: form.key,
    name: form.name,
    description: form.description || `${form.name}, added by an administrator.`,
    kind: "generic",
    authorizationUrl: form.authorizationUrl,
    tokenUrl: form.tokenUrl,
    revocationUrl: form.revocationUrl,
    userinfoUrl: form.userinfoUrl,
    scopes: form.scopes.map((s) => ({ name: s.name, description: s.description || `Custom permission "${s.name}"`, default: false })),
    scopeSeparator: form.scopeSeparator,
    pkce: form.pkce,
    tokenAuthMethod: form.tokenAuthMethod,
    apiBaseUrl: form.apiBaseUrl,
    // Tokens for an admin-entered provider may only go to its own API host.
    apiHosts: [new URL(form.apiBaseUrl).host],
    accountIdentity: { source: "api", url: form.userinfoUrl, idPath: form.accountIdPath, labelPath: form.accountLabelPath },
    supportsRefresh: form.supportsRefresh,
  });
}

export function findProvider<T extends ProviderDefinition>(catalogue: readonly T[], key: string): T | undefined {
  return catalogue.find((def) => def.key === key);
}
