// Starting another portal instance from a test: lib/testing/instance-main.ts in a child process
// with this process's configuration (same database, data folder and issuer), so the test process
// is instance A and the child instance B. Children end with the test (or when killed on purpose).
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

export type Instance = {
  url: string;
  pid: number;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  exited: Promise<number | null>;
  /** Asks a sweeper instance (sweeper-main.ts) for one refresh sweep and waits for its result. */
  sweep: () => Promise<unknown>;
};

const here = import.meta.dirname;
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** `main`: instance-main.ts (the agent-facing routes over HTTP) or sweeper-main.ts (the refresh engine over IPC). */
export async function startInstance(env: Record<string, string> = {}, main = "instance-main.ts"): Promise<Instance> {
  const child = fork(path.join(here, main), [], {
    execArgv: ["--import", path.join(here, "register-server-only.mjs"), "--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => (running.delete(child), resolve(code))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the second instance did not start within 60 s")), 60_000);
    child.once("message", (m: { url: string }) => (clearTimeout(timer), resolve(m.url)));
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`the second instance stopped while starting (exit ${code})`))));
  });
  let sweeps = 0;
  return {
    url,
    pid: child.pid!,
    exited,
    sweep: () =>
      new Promise((resolve) => {
        const n = ++sweeps;
        const onMessage = (m: { sweep?: number; result?: unknown }) => {
          if (m.sweep !== n) return;
          child.off("message", onMessage);
          resolve(m.result);
        };
        child.on("message", onMessage);
        child.send({ sweep: n });
      }),
    kill: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
