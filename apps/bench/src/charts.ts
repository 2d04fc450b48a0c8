/**
 * Charts of a results file, drawn with Vega-Lite: one horizontal bar chart per comparison group
 * (median bar, min-max whisker, value label, peers side by side, coloured by who they are). The
 * same specs render headless in Node to SVG (here, into `results/charts/`) and in the docs site,
 * which imports this module: there is one way to draw a chart.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatValue } from './format.js';
import type { Report } from './report.js';
import type { CaseKind, CaseResult, Unit } from './types.js';

const KINDS: CaseKind[] = ['multiproc', 'peer', 'baseline', 'python'];
const KIND_LABELS: Record<CaseKind, string> = {
  multiproc: 'multiproc',
  peer: 'Node pool library',
  baseline: 'raw Node baseline',
  python: 'Python multiprocessing',
};
const COLORS: Record<CaseKind, string> = {
  multiproc: '#2563eb',
  peer: '#6b7280',
  baseline: '#a3a3a3',
  python: '#d97706',
};

/** How a unit is shown on an axis: bytes per second in GiB/s, the rest as measured. */
function axisUnit(unit: Unit): { title: string; scale: number; format: string } {
  if (unit === 'B/s') return { title: 'GiB/s', scale: 2 ** -30, format: '.2~f' };
  if (unit.endsWith('/s')) return { title: unit, scale: 1, format: '~s' };
  return { title: unit, scale: 1, format: ',~r' };
}

/** One chart row: what the spec plots. */
interface Row {
  impl: string;
  kind: string;
  median: number | null;
  min: number | null;
  max: number | null;
  label: string;
  n: number;
}

function rowOf(r: CaseResult, scale: number): Row {
  const ok = r.status === 'ok' && r.median !== undefined;
  const v = (x: number | undefined) => (ok && x !== undefined ? x * scale : null);
  return {
    impl: r.impl,
    kind: KIND_LABELS[r.kind],
    median: v(r.median),
    min: v(r.min ?? r.median),
    max: v(r.max ?? r.median),
    label: ok ? formatValue(r.median, r.unit) : r.status,
    n: r.samples.length,
  };
}

/**
 * The Vega-Lite spec of one group's chart. `footer` says where and when it was measured.
 * @param rows - the cases of one group (same question, unit and direction).
 */
export function groupChartSpec(rows: CaseResult[], footer: string[] = []): TopLevelSpec {
  const first = rows[0]!;
  const unit = axisUnit(first.unit);
  const better = first.better === 'higher' ? 'higher is better' : 'lower is better';
  const kinds = KINDS.filter((k) => rows.some((r) => r.kind === k));
  const x = { field: 'median', type: 'quantitative' as const };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 320,
    height: { step: 26 },
    background: '#ffffff',
    padding: 12,
    title: {
      text: first.title,
      subtitle: [`${unit.title}, median of the runs with min-max whiskers; ${better}`, ...footer].filter(
        Boolean,
      ),
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 12,
      subtitleColor: '#555',
    },
    data: { values: rows.map((r) => rowOf(r, unit.scale)) },
    encoding: {
      y: {
        field: 'impl',
        type: 'nominal',
        sort: null,
        title: null,
        axis: { labelLimit: 600, labelFontSize: 13 },
      },
    },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          x: { ...x, title: `${unit.title} (${better})`, axis: { format: unit.format, grid: true } },
          color: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: { domain: kinds.map((k) => KIND_LABELS[k]), range: kinds.map((k) => COLORS[k]) },
            legend: { orient: 'bottom', direction: 'horizontal', columns: 2, labelLimit: 240 },
          },
          tooltip: [
            { field: 'impl', title: 'implementation' },
            { field: 'label', title: 'median' },
            { field: 'n', title: 'runs' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#111' },
        encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 12 },
        encoding: {
          x: { field: 'max', type: 'quantitative' },
          text: { field: 'label' },
          color: { value: '#111' },
        },
      },
      {
        transform: [{ filter: 'datum.median === null' }],
        mark: { type: 'text', align: 'left', dx: 4, fontStyle: 'italic', color: '#888' },
        encoding: { x: { datum: 0, type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
    config: { font: 'system-ui, sans-serif', view: { stroke: null } },
  };
}

// Without a canvas, Vega estimates text at about 0.8em per character, twice the real width of a
// sans-serif label, which leaves wide empty margins. 0.56em per character (0.6em bold) is close
// to system-ui's average and keeps the layout tight; the browser draws the text itself.
// (`textMetrics` is exported by vega at run time but missing from its type declarations.)
(vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = (
  item: { fontSize?: number; fontWeight?: string | number },
  text: unknown,
) => {
  const chars = String(text ?? '').length;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return chars * (item.fontSize ?? 11) * (bold ? 0.6 : 0.56);
};

/** Renders a Vega-Lite spec to an SVG document, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}

/** One group's chart as an SVG document. */
export function renderGroupChart(rows: CaseResult[], footer: string[] = []): Promise<string> {
  return renderSvg(groupChartSpec(rows, footer));
}

/** Where and when a report was measured, for the chart's subtitle (two short lines). */
export function footerOf(report: Report): string[] {
  const m = report.machine;
  const busy =
    Math.max(m.loadAverageAtStart, report.loadAverageAtEnd ?? 0) > m.cores * 0.75 ? ', busy machine' : '';
  return [
    `${report.generatedAt.slice(0, 10)}: Node ${m.node}, Python ${m.python ?? 'absent'}`,
    `${m.cores} cores (${m.cpuModel})${busy}; ${report.quick ? '--quick sizes, not meaningful' : `up to ${report.runs} runs per case`}`,
  ];
}

/** The report's cases by group, in order, keeping only groups with at least one measured case. */
export function chartGroups(report: Report): Map<string, CaseResult[]> {
  const groups = new Map<string, CaseResult[]>();
  for (const c of report.cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  for (const [group, rows] of groups) if (!rows.some((r) => r.status === 'ok')) groups.delete(group);
  return groups;
}

/** The file name of a group's chart: `pool.map.svg`. */
export function chartFileName(group: string): string {
  return `${group.replaceAll(/[^a-z0-9.-]/gi, '_')}.svg`;
}

/** Writes one SVG per group (with at least one measured case) into `dir`; returns the file names. */
export async function renderCharts(report: Report, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  for (const old of await readdir(dir)) if (old.endsWith('.svg')) await rm(join(dir, old));
  const footer = footerOf(report);
  const written: string[] = [];
  for (const [group, rows] of chartGroups(report)) {
    const file = chartFileName(group);
    await writeFile(join(dir, file), await renderGroupChart(rows, footer));
    written.push(file);
  }
  return written;
}
