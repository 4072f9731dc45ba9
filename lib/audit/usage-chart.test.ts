// The usage chart (components/usage-chart.tsx) rendered to HTML as the server sends it: an image
// with a spoken summary, a legend, the same figures in a table, the rest grouped as "others", and a
// sentence instead of empty axes. (Vitest collects tests under lib/, so this one sits beside usage.ts.)
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { UsageChart } from "@/components/usage-chart";
import type { Usage, UsageSeries } from "./usage";

const days = ["2031-05-18", "2031-05-19", "2031-05-20"];
const s = (key: string, counts: number[]): UsageSeries => ({ key, label: key.toUpperCase(), total: counts.reduce((a, b) => a + b, 0), counts });
const render = (usage: Usage) => renderToStaticMarkup(createElement(UsageChart, { usage }));

describe("UsageChart", () => {
  it("draws one accessible image per breakdown, with a legend and a table of the same figures", () => {
    const html = render({
      scope: "tenant",
      days,
      total: 6,
      failures: 1,
      byAgent: [s("planner", [0, 3, 1]), s("mailer", [2, 0, 0])],
      byProvider: [s("demo-tasks", [2, 3, 1])],
    });
    const images = [...html.matchAll(/<svg role="img" aria-label="([^"]*)"/g)].map((m) => m[1]);
    expect(images).toEqual([
      "Stacked bar chart of actions per day by agent in the last 3 days, 6 actions in all: PLANNER 4, MAILER 2. Busiest day 2031-05-19 with 3.",
      "Stacked bar chart of actions per day by provider in the last 3 days, 6 actions in all: DEMO-TASKS 6. Busiest day 2031-05-19 with 3.",
    ]);
    expect(html).toContain("6 tool or proxy calls in your organisation in the last 3 days, 1 of them failed");
    // One rectangle per non-zero (day, series) cell: 3 by agent, 3 by provider.
    expect(html.match(/<rect /g)).toHaveLength(6);
    expect(html).toContain("<title>2031-05-19: PLANNER 3</title>");
    expect(html).toMatch(/<th scope="row"[^>]*>2031-05-18<\/th><td>0<\/td><td>2<\/td><td>2<\/td>/);
  });

  it("groups the series beyond the palette into one 'others' series", () => {
    const many = Array.from({ length: 8 }, (_, i) => s(`agent-${i}`, [i + 1, 0, 0]));
    const html = render({ scope: "tenant", days, total: 36, failures: 0, byAgent: many, byProvider: [s("demo-tasks", [36, 0, 0])] });
    expect(html).toContain("2 others");
    expect(html).toMatch(/2 others <span class="note">\(15\)<\/span>/);
    expect(html).not.toContain("AGENT-6");
  });

  it("says what to do when no agent has acted yet", () => {
    const html = render({ scope: "mine", days, total: 0, failures: 0, byAgent: [], byProvider: [] });
    expect(html).not.toContain("<svg");
    expect(html).toContain("No agent has called a tool or the proxy on your behalf in the last 3 days");
    expect(html).toContain("Delegations page");
  });
});
