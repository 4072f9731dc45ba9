// Lint: TypeScript's recommended rules, no import cycles, and the zones that make the trust boundary
// (ARCHITECTURE.md) architectural rather than a convention. Each zone rule is proved to fire on a
// planted import by eslint/zones.test.ts. Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

import clientBoundary from "./eslint/client-boundary.mjs";

const root = import.meta.dirname;

/** Test code reads what is stored on purpose, to prove it is ciphertext; product code may not. */
const TEST_CODE = ["**/*.test.ts", "**/*.test.tsx", "lib/testing/**", "e2e/**", "bench/**"];

const VAULT_ONLY_IMPORTS = {
  patterns: [
    {
      group: [
        "@/lib/vault/crypto/keyring",
        "**/vault/crypto/keyring",
        "@/lib/vault/crypto/encryption",
        "**/vault/crypto/encryption",
        "@/lib/vault/crypto/token-set",
        "**/vault/crypto/token-set",
      ],
      message: "Only lib/vault may reach the key ring or decrypt: ask lib/vault for the action instead (ARCHITECTURE.md, rule 5).",
    },
  ],
};

const NO_FRAMEWORK = {
  patterns: [
    {
      group: ["next", "next/*", "next-auth", "next-auth/*"],
      message: "Domain code does not depend on the web framework: take a Request or return data, and let lib/http or app/ speak Next.",
    },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", "lib/generated/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        fetch: "readonly",
        Request: "readonly",
        Response: "readonly",
        Headers: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        globalThis: "readonly",
        structuredClone: "readonly",
        AbortSignal: "readonly",
        AbortController: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        crypto: "readonly",
        window: "readonly",
        document: "readonly",
        location: "readonly",
        navigator: "readonly",
        sessionStorage: "readonly",
        localStorage: "readonly",
        HTMLElement: "readonly",
        HTMLDialogElement: "readonly",
        MessageEvent: "readonly",
        FormData: "readonly",
        URLSearchParams: "readonly",
        DOMException: "readonly",
        queueMicrotask: "readonly",
        setImmediate: "readonly",
      },
    },
    plugins: { "import-x": importX, local: { rules: { "client-boundary": clientBoundary } } },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
      // no-cycle follows imports by parsing the imported files: TypeScript ones with TypeScript's parser.
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "local/client-boundary": ["error", { root }],
    },
  },
  // Zone 1: only lib/vault touches the key ring, decryption and the ciphertext columns.
  {
    files: ["**/*.ts", "**/*.tsx"],
    // npm run keys:rotate is the key ring's own operator command: it reads and extends the ring.
    ignores: ["lib/vault/**", "scripts/keys-rotate.ts", ...TEST_CODE],
    rules: {
      "no-restricted-imports": ["error", VAULT_ONLY_IMPORTS],
      "no-restricted-syntax": [
        "error",
        { selector: "Property[key.name='encBlob']", message: "Only lib/vault may select or write encBlob (ARCHITECTURE.md, rule 5)." },
        { selector: "MemberExpression[property.name='encBlob']", message: "Only lib/vault may read encBlob (ARCHITECTURE.md, rule 5)." },
        { selector: "Literal[value=/encBlob/]", message: "Only lib/vault may name encBlob in SQL (ARCHITECTURE.md, rule 5)." },
        { selector: "TemplateElement[value.raw=/encBlob/]", message: "Only lib/vault may name encBlob in SQL (ARCHITECTURE.md, rule 5)." },
      ],
    },
  },
  // lib/db.ts names every encBlob column once, to omit them from every query by default.
  { files: ["lib/db.ts"], rules: { "no-restricted-syntax": "off" } },
  // Zone 2: domain modules under lib/ import nothing of Next or next-auth (lib/http and lib/auth are the glue).
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/http/**", "lib/auth/**", "lib/testing/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { ...NO_FRAMEWORK, patterns: [...NO_FRAMEWORK.patterns, ...VAULT_ONLY_IMPORTS.patterns] }] },
  },
  { files: ["lib/vault/**/*.ts"], ignores: ["**/*.test.ts"], rules: { "no-restricted-imports": ["error", NO_FRAMEWORK] } },
  { files: ["**/*.mjs", "scripts/**", "bench/**", "e2e/**"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  prettier,
);
