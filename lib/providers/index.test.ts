// The indexes and the folders agree, so adding a provider is one new folder plus the two lists:
// every folder under lib/providers/ is listed by both indexes in the same order, holds the same
// files, and is the module the index serves under its key; every tool belongs to its folder's
// provider, under a unique `<key>.` name, needing only scopes that provider offers; each has a
// small logo under public/; and the client-safe index imports nothing server-side, however deep.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { ProviderLogo } from "@/components/provider-logo";

import { BUILTIN_DEFINITIONS, DEMO_PROVIDER_KEY, demoTasksDefinition, TOOL_DEFINITIONS } from "@/lib/providers";
import { builtinCatalogue } from "@/lib/providers/catalogue";
import { findTool, PROVIDER_META, providerMeta, PROXY_SCOPE_RULES, TOOLS } from "@/lib/providers/meta";
import type { ProviderMeta } from "@/lib/providers/provider-meta";
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";
import { toolInputJsonSchema, type ToolDefinition } from "@/lib/tools/tool";

const here = import.meta.dirname;
const root = path.resolve(here, "../..");
const FOLDERS = readdirSync(here)
  .filter((name) => statSync(path.join(here, name)).isDirectory())
  .sort();
const REQUIRED_FILES = ["meta.ts", "provider.ts", "tools.ts", "provider.test.ts"];

type Folder = { meta: ProviderMeta; tools: readonly ToolDefinition[]; provider?: ProviderDefinitionInput; demoTasksDefinition?: unknown };

async function folder(key: string): Promise<Folder> {
  const [{ meta }, { tools }, server] = await Promise.all([
    import(path.join(here, key, "meta.ts")) as Promise<{ meta: ProviderMeta }>,
    import(path.join(here, key, "tools.ts")) as Promise<{ tools: readonly ToolDefinition[] }>,
    import(path.join(here, key, "provider.ts")) as Promise<{ provider?: ProviderDefinitionInput; demoTasksDefinition?: unknown }>,
  ]);
  return { meta, tools, ...server };
}

function definitionOf(key: string): { name: string; description: string; scopes: readonly { name: string }[] } {
  if (key === DEMO_PROVIDER_KEY) return demoTasksDefinition("http://localhost:3000/demo");
  const def = builtinCatalogue().find((d) => d.key === key);
  if (!def) throw new Error(`no built-in ${key}`);
  return def;
}

describe("the provider indexes", () => {
  it("list every folder, and nothing else, in the same order", () => {
    expect(FOLDERS.length).toBeGreaterThan(1);
    expect(PROVIDER_META.map((p) => p.key).sort()).toEqual(FOLDERS);
    expect([DEMO_PROVIDER_KEY, ...BUILTIN_DEFINITIONS.map((d) => d.key)]).toEqual(PROVIDER_META.map((p) => p.key));
    // Every folder but the demo provider's is a built-in, and each one validates.
    expect(builtinCatalogue()).toHaveLength(FOLDERS.length - 1);
  });

  it.each(FOLDERS)("%s: holds the same files as every folder, and tests its tools when it has any", async (key) => {
    for (const file of REQUIRED_FILES) expect(existsSync(path.join(here, key, file)), `lib/providers/${key}/${file}`).toBe(true);
    const { meta } = await folder(key);
    expect(existsSync(path.join(here, key, "tools.test.ts")), `lib/providers/${key}/tools.test.ts`).toBe(meta.tools.length > 0);
  });

  it.each(FOLDERS)("%s: is the module the indexes serve under its key", async (key) => {
    const { meta, tools, provider, demoTasksDefinition: factory } = await folder(key);
    expect(meta.key).toBe(key);
    expect(providerMeta(key)).toBe(meta);
    for (const tool of tools) expect(TOOL_DEFINITIONS).toContain(tool);
    // The definitions are exactly the metadata's tools, in the same order.
    expect(tools.map((t) => t.name)).toEqual(meta.tools.map((t) => t.name));
    if (key === DEMO_PROVIDER_KEY) expect(factory).toBe(demoTasksDefinition);
    else expect(BUILTIN_DEFINITIONS).toContain(provider);
    const definition = definitionOf(key);
    expect({ name: definition.name, description: definition.description }).toEqual({ name: meta.name, description: meta.description });
  });

  it.each(FOLDERS)("%s: its tools are its own, named under its key, needing only scopes it offers", async (key) => {
    const { meta } = await folder(key);
    const offered = new Set(definitionOf(key).scopes.map((s) => s.name));
    for (const tool of meta.tools) {
      expect(tool.provider).toBe(key);
      expect(tool.name).toMatch(new RegExp(`^${key.replace(/-/g, "\\-")}\\.[a-z][a-z0-9_]*$`));
      expect(findTool(tool.name)).toBe(tool);
      expect(tool.anyOfScopes.length).toBeGreaterThan(0);
      for (const scope of tool.anyOfScopes) expect(offered, `${tool.name} needs "${scope}"`).toContain(scope);
    }
    for (const rule of meta.proxyScopeRules ?? []) for (const scope of rule.anyOfScopes) expect(offered).toContain(scope);
  });

  it("name every tool once, and define exactly the catalogue's tools", () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(TOOLS).toEqual(PROVIDER_META.flatMap((p) => p.tools));
    expect(TOOL_DEFINITIONS.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  it("publish a JSON Schema for each input", () => {
    for (const t of TOOL_DEFINITIONS) expect(toolInputJsonSchema(t)).toMatchObject({ type: "object" });
  });

  it("key proxy scope rules by a provider folder", () => {
    for (const key of Object.keys(PROXY_SCOPE_RULES)) expect(FOLDERS).toContain(key);
    expect(PROXY_SCOPE_RULES[DEMO_PROVIDER_KEY]?.length).toBeGreaterThan(0);
  });

  it.each(FOLDERS.filter((key) => key !== DEMO_PROVIDER_KEY))(
    "%s: checks its authorization URL, or how it places a pasted key, against its documentation",
    (key) => {
      const test = readFileSync(path.join(here, key, "provider.test.ts"), "utf8");
      const pasted = builtinCatalogue().find((d) => d.key === key)?.credential.type === "api_key";
      expect(test).toContain(pasted ? `describeApiKeyCredential("${key}",` : `describeAuthorizationUrl("${key}",`);
    },
  );
});

describe("provider logos", () => {
  it.each(FOLDERS)("%s: names its logo exactly when public/ holds one, a small SVG of its own", (key) => {
    const { logo } = providerMeta(key)!;
    const file = path.join(root, "public/providers", `${key}.svg`);
    expect(logo === undefined ? undefined : `/providers/${key}.svg`).toBe(logo);
    expect(existsSync(file), `public/providers/${key}.svg`).toBe(logo !== undefined);
    if (!logo) return;
    const svg = readFileSync(file, "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="[\d .]+"/);
    expect(svg).not.toMatch(/<script|href=|url\(/i);
    expect(Buffer.byteLength(svg)).toBeLessThan(1024);
  });

  it("in public/providers/ each belong to a provider folder", () => {
    for (const name of readdirSync(path.join(root, "public/providers"))) expect(FOLDERS).toContain(name.replace(/\.svg$/, ""));
  });

  it("are shown beside a provider's name, and not at all for a provider without a folder", () => {
    // React adds a preload hint for the image; the img itself is the logo, decorative and 20 pixels square.
    expect(renderToStaticMarkup(createElement(ProviderLogo, { providerKey: "github" }))).toContain(
      '<img src="/providers/github.svg" alt="" width="20" height="20" class="provider-logo"/>',
    );
    expect(renderToStaticMarkup(createElement(ProviderLogo, { providerKey: "acme-crm" }))).toBe("");
  });

  it("the portal's favicon is a small SVG the root layout names", async () => {
    expect(Buffer.byteLength(readFileSync(path.join(root, "public/favicon.svg")))).toBeLessThan(1024);
    const { metadata } = await import("@/app/layout");
    expect(metadata.icons).toEqual({ icon: { url: "/favicon.svg", type: "image/svg+xml" } });
  });
});

// Same notion of "server module" as eslint/client-boundary.mjs, followed through every import.
const SERVER_PACKAGES = [/^server-only$/, /^next\/headers$/, /^node:/, /^pg$/, /^@prisma\//, /^@electric-sql\//, /^pino$/, /^oidc-provider$/, /^prom-client$/];
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm;

function resolveLocal(fromFile: string, spec: string): string | null {
  const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(fromFile), spec) : null;
  if (!base) return null;
  const file = ["", ".ts", ".tsx", "/index.ts"].map((ext) => base + ext).find((f) => existsSync(f) && statSync(f).isFile());
  if (!file) throw new Error(`${fromFile} imports ${spec}, which does not resolve`);
  return file;
}

/** Every server module reached from `entry` through imports that stay in the bundle (type imports do not). */
function serverModulesFrom(entry: string): { problems: string[]; seen: Set<string> } {
  const seen = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    if (/^\s*import\s+["']server-only["']/m.test(text.replace(/^(\s*\/\/[^\n]*\n)*/, ""))) problems.push(`${path.relative(root, file)} is server-only`);
    for (const [, typeOnly, spec] of text.matchAll(IMPORT)) {
      if (typeOnly || !spec) continue;
      if (SERVER_PACKAGES.some((re) => re.test(spec))) problems.push(`${path.relative(root, file)} imports ${spec}`);
      const local = resolveLocal(file, spec);
      if (local) visit(local);
    }
  };
  visit(entry);
  return { problems, seen };
}

describe("the client-safe index", () => {
  it("imports no server module, directly or through another", () => {
    const { problems, seen } = serverModulesFrom(path.join(here, "meta.ts"));
    expect(problems).toEqual([]);
    for (const key of FOLDERS) expect(seen).toContain(path.join(here, key, "meta.ts"));
  });

  it("is told apart from its server-side twin, which the same walk refuses", () => {
    const { problems } = serverModulesFrom(path.join(here, "index.ts"));
    expect(problems).toContain("lib/providers/index.ts is server-only");
    expect(problems).toContain("lib/providers/github/provider.ts is server-only");
  });
});
