// ESLint rule: a client component ("use client") may import no server module. A server module is
// one whose file starts with `import "server-only"`, or a Node built-in, or one of the server-only
// packages below. The imported file is read from disk (the `@/` alias is the project root), so the
// rule follows the code as it is rather than a list kept by hand.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const SERVER_PACKAGES = [/^server-only$/, /^next\/headers$/, /^node:/, /^pg$/, /^@prisma\//, /^@electric-sql\//, /^pino$/, /^oidc-provider$/, /^prom-client$/];
const EXTENSIONS = ["", ".ts", ".tsx", ".js", ".mjs", "/index.ts", "/index.tsx"];

function resolveFile(root, fromFile, spec) {
  const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(fromFile), spec) : null;
  if (!base) return null;
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const cache = new Map();
function isServerModule(file) {
  if (!cache.has(file)) {
    const head = readFileSync(file, "utf8").slice(0, 400);
    cache.set(file, /^\s*import\s+["']server-only["'];?/m.test(head.replace(/^(\s*\/\/[^\n]*\n)*/, "")));
  }
  return cache.get(file);
}

export default {
  meta: {
    type: "problem",
    docs: { description: "client components import no server module" },
    schema: [{ type: "object", properties: { root: { type: "string" } } }],
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const source = context.sourceCode;
    const first = source.ast.body[0];
    const isClient = first?.type === "ExpressionStatement" && first.expression.type === "Literal" && first.expression.value === "use client";
    if (!isClient) return {};
    const check = (node, spec) => {
      if (typeof spec !== "string") return;
      if (SERVER_PACKAGES.some((re) => re.test(spec))) {
        context.report({ node, message: `A client component cannot import "${spec}": it only runs on the server.` });
        return;
      }
      const file = resolveFile(root, context.filename, spec);
      if (file && isServerModule(file))
        context.report({ node, message: `A client component cannot import "${spec}": that module is server-only (it starts with import "server-only").` });
    };
    return {
      ImportDeclaration(node) {
        if (node.importKind !== "type") check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") check(node, node.source.value);
      },
    };
  },
};
