"use client";
// The portal's confirmation dialog: a modal <dialog> named by its title, opened and closed from
// React state, and the footer every confirmation shares (the error sentence, the confirm button
// with its in-progress label, Cancel). Disconnect, revoke, rotate and delete all use it.
import { useEffect, useId, useRef, type ReactNode } from "react";

export function ConfirmDialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: ReactNode; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} className="confirm" onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

type FooterProps = {
  error: Error | null;
  pending: boolean;
  confirmLabel: string;
  pendingLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** `danger` for what cannot be undone, `primary` otherwise. */
  tone?: "danger" | "primary";
};

export function ConfirmFooter({ error, pending, confirmLabel, pendingLabel, onConfirm, onCancel, tone = "danger" }: FooterProps) {
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <div className="actions">
        <button type="button" className={tone} onClick={onConfirm} disabled={pending}>
          {pending ? pendingLabel : confirmLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </>
  );
}
