// Browser-side calls to the portal's own BFF routes. Safe in "use client" modules: no server imports.
// A failed call throws an ApiError, the vault's one error type as the browser received it: the
// problem's status and code, and its `detail` (a sentence for a person) as the message.
import { VaultError } from "@/lib/errors";

export class ApiError extends VaultError {
  constructor(message: string, status: number, code: string) {
    super(status, code, message);
    this.name = "ApiError";
  }
}

type ApiInit = { method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; body?: unknown; signal?: AbortSignal };

export async function apiFetch<T>(url: string, { method = "GET", body, signal }: ApiInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal,
      credentials: "same-origin",
      cache: "no-store",
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("The vault could not be reached: check your network connection and try again.", 0, "network_error");
  }
  if (!res.ok) {
    const problem = (await res.json().catch(() => null)) as { detail?: unknown; code?: unknown } | null;
    const detail = typeof problem?.detail === "string" && problem.detail ? problem.detail : `The vault answered with an error (${res.status}): try again.`;
    throw new ApiError(detail, res.status, typeof problem?.code === "string" ? problem.code : "unknown_error");
  }
  return (await res.json()) as T;
}
