"use client";
// What every "shown once" secret region does (a new agent's client secret, a new webhook's signing
// secret): focus moves to it when it appears, so a keyboard or screen-reader user lands on what must
// be copied now, and a Copy button writes the secret to the clipboard and says so.
import { useEffect, useRef, useState } from "react";

export function useRevealedSecret(secret: string | undefined, revealed: unknown) {
  const region = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    region.current?.focus();
    setCopied(false);
  }, [revealed]);

  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return { region, copied, copy };
}
