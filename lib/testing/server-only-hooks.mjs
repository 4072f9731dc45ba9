// Module hooks for server code run outside Next and outside Vitest (the multi-instance test's child
// processes): `server-only` resolves to the same empty stub Vitest's alias uses.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "server-only") return { url: new URL("./server-only-stub.ts", import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
