/**
 * Progress while suites run: a cli-progress bar on a terminal, plain lines (on stderr, so stdout
 * stays the table) when output is piped, as under turbo or CI.
 */
import cliProgress from 'cli-progress';
import { formatValue } from './format.js';
import type { BenchCase, CaseResult } from './types.js';

export interface Progress {
  caseStarted(c: BenchCase): void;
  caseDone(r: CaseResult): void;
  stop(): void;
}

function summary(r: CaseResult): string {
  const what =
    r.status === 'ok' ? formatValue(r.median, r.unit) : `${r.status}${r.note ? `: ${r.note}` : ''}`;
  return `${r.suite} | ${r.impl} | ${r.title} -> ${what} (${(r.wallMs / 1000).toFixed(1)} s)`;
}

/** A progress display for `total` cases. */
export function createProgress(total: number): Progress {
  const tty = Boolean(process.stdout.isTTY && process.stderr.isTTY);
  if (!tty) {
    let done = 0;
    const width = String(total).length;
    return {
      caseStarted: () => {},
      caseDone: (r) => {
        done++;
        process.stderr.write(`[${String(done).padStart(width)}/${total}] ${summary(r)}\n`);
      },
      stop: () => {},
    };
  }
  // A MultiBar with one bar, for its log(): finished cases scroll above the bar.
  const bars = new cliProgress.MultiBar(
    { format: '{bar} {value}/{total} | {current}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { current: '' });
  return {
    caseStarted: (c) => bar.update({ current: `${c.suite}: ${c.impl}` }),
    caseDone: (r) => {
      bars.log(`${summary(r)}\n`);
      bar.increment(1, { current: `${r.suite}: ${r.impl}` });
    },
    stop: () => bars.stop(),
  };
}
