"use client";
// The ceiling's approval rules: tools and proxy methods this agent may use only once the person
// behind the delegation approves that very call. Offered among what the ceiling allows, since an
// approval cannot let through what the ceiling refuses.
import type { HttpMethod } from "@/lib/tools/tool";

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? [...list] : [...list, item]) : list.filter((x) => x !== item);
}

type Props = {
  tools: string[];
  methods: HttpMethod[];
  approvalTools: string[];
  approvalMethods: HttpMethod[];
  onTools: (list: string[]) => void;
  onMethods: (list: HttpMethod[]) => void;
};

export function CeilingApprovalFields({ tools, methods, approvalTools, approvalMethods, onTools, onMethods }: Props) {
  return (
    <fieldset>
      <legend>Ask the person first</legend>
      <p className="note">
        Calls that wait for the approval of the person whose delegation it is, on their Approvals page; nothing is sent until they approve, and then only that
        exact call, once.
      </p>
      {tools.length === 0 && methods.length === 0 && <p className="note">Allow tools or HTTP methods above to choose which need approval.</p>}
      {tools.length > 0 && (
        <div className="inline-checks" role="group" aria-label="Ask first for these tool calls">
          {tools.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={approvalTools.includes(t)} onChange={(e) => onTools(toggled(approvalTools, t, e.target.checked))} />
              {t}
            </label>
          ))}
        </div>
      )}
      {methods.length > 0 && (
        <div className="inline-checks" role="group" aria-label="Ask first for these request methods">
          {methods.map((m) => (
            <label key={m} className="check">
              <input type="checkbox" checked={approvalMethods.includes(m)} onChange={(e) => onMethods(toggled(approvalMethods, m, e.target.checked))} />
              {m} needs approval
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
