/**
 * A small SVG renderer for the docs' Performance page: one horizontal bar chart per comparison
 * group, drawn from `latest.json` (median bars, min-max whiskers, multiproc highlighted).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatValue } from './format.js';
import type { Report } from './report.js';
import type { CaseKind, CaseResult } from './types.js';

const WIDTH = 800;
const LABEL_W = 340;
const BAR_W = 330;
const ROW_H = 26;
const TOP = 48;
const COLORS: Record<CaseKind, string> = {
  multiproc: '#2563eb',
  peer: '#6b7280',
  baseline: '#9ca3af',
  python: '#d97706',
};

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** One group's chart as an SVG document; `footer` says where and when it was measured. */
export function renderGroupChart(rows: CaseResult[], footer = ''): string {
  const first = rows[0]!;
  const scaleMax = Math.max(...rows.map((r) => r.max ?? r.median ?? 0), Number.MIN_VALUE);
  const x = (v: number) => LABEL_W + (v / scaleMax) * BAR_W;
  const height = TOP + rows.length * ROW_H + 30;
  const better = first.better === 'higher' ? 'higher is better' : 'lower is better';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="600">${xml(first.title)}</text>`,
    `<text x="12" y="38" fill="#555">${xml(`${first.unit}, median of runs with min-max; ${better}`)}</text>`,
  ];
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const weight = r.kind === 'multiproc' ? ' font-weight="600"' : '';
    out.push(`<text x="${LABEL_W - 8}" y="${y + 16}" text-anchor="end"${weight}>${xml(r.impl)}</text>`);
    if (r.status !== 'ok' || r.median === undefined) {
      out.push(
        `<text x="${LABEL_W + 4}" y="${y + 16}" fill="#999" font-style="italic">${xml(r.status)}</text>`,
      );
      return;
    }
    const w = Math.max(1, x(r.median) - LABEL_W);
    out.push(
      `<rect x="${LABEL_W}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW_H - 8}" fill="${COLORS[r.kind]}"/>`,
    );
    if (r.min !== undefined && r.max !== undefined && r.max > r.min) {
      const [x1, x2, ym] = [x(r.min).toFixed(1), x(r.max).toFixed(1), y + ROW_H / 2];
      out.push(`<line x1="${x1}" x2="${x2}" y1="${ym}" y2="${ym}" stroke="#111" stroke-width="1"/>`);
      out.push(`<line x1="${x1}" x2="${x1}" y1="${ym - 4}" y2="${ym + 4}" stroke="#111"/>`);
      out.push(`<line x1="${x2}" x2="${x2}" y1="${ym - 4}" y2="${ym + 4}" stroke="#111"/>`);
    }
    const label = formatValue(r.median, r.unit);
    out.push(
      `<text x="${(Math.max(x(r.max ?? r.median), x(r.median)) + 6).toFixed(1)}" y="${y + 16}">${xml(label)}</text>`,
    );
  });
  out.push(`<text x="12" y="${height - 10}" fill="#777" font-size="10">${xml(footer)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function footerOf(report: Report): string {
  const m = report.machine;
  const busy =
    Math.max(m.loadAverageAtStart, report.loadAverageAtEnd ?? 0) > m.cores * 0.75 ? ', busy machine' : '';
  return (
    `${report.generatedAt.slice(0, 10)}: Node ${m.node}, Python ${m.python ?? 'absent'}, ${m.cores} cores ` +
    `(${m.cpuModel})${busy}; ${report.quick ? '--quick sizes, not meaningful' : `up to ${report.runs} runs per case`}`
  );
}

/** Writes one SVG per group (with at least one measured case) into `dir`; returns the file names. */
export async function renderCharts(report: Report, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  for (const old of await readdir(dir)) if (old.endsWith('.svg')) await rm(join(dir, old));
  const groups = new Map<string, CaseResult[]>();
  for (const c of report.cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const written: string[] = [];
  for (const [group, rows] of groups) {
    if (!rows.some((r) => r.status === 'ok')) continue;
    const file = `${group.replaceAll(/[^a-z0-9.-]/gi, '_')}.svg`;
    await writeFile(join(dir, file), renderGroupChart(rows, footerOf(report)));
    written.push(file);
  }
  return written;
}
