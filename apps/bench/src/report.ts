/** The markdown table printed to stdout (and pasted into the README). */
import { formatRatio, formatValue } from './format.js';
import type { MachineInfo } from './machine.js';
import type { TargetResult } from './targets.js';
import type { CaseResult, Sizes, SuiteName } from './types.js';

/** Everything one run produced: the shape of `results/latest.json`. */
export interface Report {
  schema: 1;
  generatedAt: string;
  command: string;
  quick: boolean;
  runs: number;
  /** Warm-up samples each case took and discarded first (a case's own `warmup` says if it took none). */
  warmup: number;
  /** The problem sizes used (items, messages...), so a run can be reproduced. */
  sizes: Sizes;
  suites: SuiteName[];
  machine: MachineInfo;
  /** 1-minute load average when the run ended (the start figure is in `machine`). */
  loadAverageAtEnd: number;
  cases: CaseResult[];
  targets: TargetResult[];
}

/**
 * How many times better multiproc's case is than `other` (same group): > 1 means multiproc is
 * faster (a higher rate, or a shorter time).
 */
export function speedRatio(mp: CaseResult, other: CaseResult): number | undefined {
  if (mp.median === undefined || other.median === undefined) return undefined;
  return mp.better === 'higher' ? mp.median / other.median : other.median / mp.median;
}

function ratioCell(r: CaseResult, group: CaseResult[]): string {
  if (r.kind === 'multiproc' || r.status !== 'ok') return '';
  const subjects = group.filter((c) => c.kind === 'multiproc');
  if (subjects.length === 0) return '';
  return subjects
    .map((m) => {
      const label = subjects.length > 1 ? `${m.impl}: ` : '';
      return m.status === 'ok' ? `${label}${formatRatio(speedRatio(m, r))}` : `${label}${m.status}`;
    })
    .join('<br>');
}

function valueCell(r: CaseResult): string {
  if (r.status === 'ok') return formatValue(r.median, r.unit);
  return `**${r.status}**`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/**
 * A markdown table with padded columns, laid out the way the repo's formatter lays out markdown,
 * so the table pasted into the README stays lint-clean.
 */
export function markdownTable(header: string[], align: ('l' | 'r')[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number) =>
    align[i] === 'r' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

/** ", after N discarded warm-up runs per case" (nothing for none, or a file older than warm-ups). */
function warmupNote(warmup: number | undefined): string {
  if (!warmup) return '';
  return `, after ${warmup} discarded warm-up run${warmup === 1 ? '' : 's'} per case`;
}

/** The results as markdown: one table per suite, then the targets. */
export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const lines: string[] = [
    `Node ${m.node}, Python ${m.python ?? 'absent'}, ${m.cores} cores (${m.cpuModel}), ` +
      `load ${m.loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end; up to ${report.runs} runs per case (n)${warmupNote(report.warmup)}${report.quick ? ', --quick sizes' : ''}.`,
    `Peers: ${Object.entries(m.peers)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '"multiproc vs this": how many times faster multiproc is than that row (> 1 = multiproc faster).',
    '',
  ];
  const busiest = Math.max(m.loadAverageAtStart, report.loadAverageAtEnd ?? 0);
  if (busiest > m.cores * 0.75) {
    lines.splice(
      lines.length - 1,
      0,
      `**Noisy run:** load average ${m.loadAverageAtStart} at start and ${report.loadAverageAtEnd} at end ` +
        `on ${m.cores} cores; other work was competing for the CPU, so treat these figures as rough.`,
    );
  }
  for (const suite of report.suites) {
    const rows = report.cases.filter((c) => c.suite === suite);
    const table = rows.map((r) => {
      const group = rows.filter((c) => c.group === r.group);
      const note =
        r.status === 'ok' ? (r.p99 !== undefined ? `p99 ${formatValue(r.p99, r.unit)}` : '') : r.note;
      return [
        cell(r.title),
        cell(r.impl),
        valueCell(r),
        formatValue(r.min, r.unit),
        formatValue(r.max, r.unit),
        String(r.samples.length || ''),
        ratioCell(r, group),
        cell(note ?? ''),
      ];
    });
    const header = ['question', 'implementation', 'median', 'min', 'max', 'n', 'multiproc vs this', 'note'];
    lines.push(
      `### ${suite}`,
      '',
      ...markdownTable(header, ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'], table),
      '',
    );
  }
  if (report.targets.length > 0) {
    const rows = report.targets.map((t) => [
      `#${t.issue}`,
      cell(t.text),
      cell(t.display) + (t.note ? `<br>${cell(t.note)}` : ''),
      `**${t.status}**`,
    ]);
    const header = ['issue', 'target', 'measured', 'status'];
    lines.push('### speed targets', '', ...markdownTable(header, ['l', 'l', 'l', 'l'], rows), '');
  }
  return lines.join('\n');
}

/** One line per target, for logs: `TARGET #6 ... : 2.31x (needs >= 1.50x) MET`. */
export function targetLines(targets: TargetResult[]): string[] {
  return targets.map((t) => `TARGET #${t.issue} ${t.text}: ${t.display} -> ${t.status}`);
}
