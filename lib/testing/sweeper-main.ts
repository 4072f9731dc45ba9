// Another portal instance for refresh tests: the refresh engine of a process of its own (its own
// lease owner, single-flight map and backoff), sweeping when its parent asks over IPC and answering
// with the sweep's result. Configured by the environment it is started with (lib/testing/instances.ts).
const { runRefreshSweep } = await import("@/lib/vault/refresh/engine");

process.on("message", (m: { sweep?: number }) => {
  if (m.sweep === undefined) return;
  void runRefreshSweep().then((result) => process.send?.({ sweep: m.sweep, result }));
});
process.send?.({ url: "ipc:sweeper" });
process.on("disconnect", () => process.exit(0));
export {};
