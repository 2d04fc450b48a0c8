/**
 * Everything the demo prints goes through a `Reporter`, which knows the output mode: human (with
 * headings and notes), `--quiet` (results only) or `--json` (nothing until the final document).
 */
import cliProgress from 'cli-progress';
import { table } from './format.js';

/** How to print. */
export interface ReporterOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

/** A live progress display; `update(done)` as work completes, `stop()` at the end. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

// Bound before any capture replaces `process.stdout.write`, so the demo's own lines are never
// mistaken for a worker's output.
const writeStdout = process.stdout.write.bind(process.stdout);
const writeStderr = process.stderr.write.bind(process.stderr);

const PLAIN_STEPS = 4; // without a terminal, progress is a line at every quarter

/** Prints the demo's output according to the mode. */
export class Reporter {
  readonly options: ReporterOptions;

  constructor(options: ReporterOptions) {
    this.options = options;
  }

  /** Whether anything but the final JSON document goes to stdout. */
  get human(): boolean {
    return !this.options.json;
  }

  /** Whether progress is drawn as a live bar (a terminal, and neither `--json` nor `--quiet`). */
  get live(): boolean {
    return this.human && !this.options.quiet && process.stdout.isTTY === true;
  }

  /** A section heading. */
  heading(title: string): void {
    if (this.human && !this.options.quiet) writeStdout(`\n== ${title} ==\n`);
  }

  /** A result line: what the example shows, printed unless the output is JSON. */
  line(text = ''): void {
    if (this.human) writeStdout(`${text}\n`);
  }

  /** An explanation; hidden by `--quiet`. */
  note(text: string): void {
    if (this.human && !this.options.quiet) writeStdout(`${text}\n`);
  }

  /** An aligned table, as result lines. */
  table(rows: readonly (readonly string[])[]): void {
    for (const row of table(rows)) this.line(row);
  }

  /** A diagnostic on stderr (errors and hints), printed in every mode. */
  error(text: string): void {
    writeStderr(`${text}\n`);
  }

  /** Raw text on stdout, whatever the mode (the JSON document itself). */
  raw(text: string): void {
    writeStdout(text);
  }

  /** A progress display for `total` units, labelled `label`. */
  progress(label: string, total: number): Progress {
    if (this.live) {
      const bar = new cliProgress.SingleBar(
        {
          format: `  ${label.padEnd(8)} [{bar}] {percentage}% | {value}/{total}`,
          stream: process.stdout,
          hideCursor: true,
          clearOnComplete: false,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return { update: (done) => bar.update(done), stop: () => bar.stop() };
    }
    if (!this.human || this.options.quiet) return { update() {}, stop() {} };
    let shown = 0;
    return {
      update: (done) => {
        // One plain line per quarter reached, so a log shows progress without redraw codes.
        const step = Math.floor((done / total) * PLAIN_STEPS);
        for (; shown < step; shown++) {
          const pct = ((shown + 1) * 100) / PLAIN_STEPS;
          writeStdout(`  ${label.padEnd(8)} ${String(pct).padStart(3)}% (${done}/${total})\n`);
        }
      },
      stop() {},
    };
  }
}

/** What {@link interceptStream} returns. */
export interface Interception {
  /** The whole lines written so far (a trailing partial line too). */
  lines(): string[];
  /** Puts the stream's own `write` back. */
  restore(): void;
}

/**
 * Records what is written to `stream` until `restore()`, passing it on unless `passThrough` is
 * false. Workers' output reaches the parent's `process.stdout.write` one whole line at a time, so
 * this is how an example sees what its workers printed.
 */
export function interceptStream(stream: NodeJS.WriteStream, passThrough: boolean): Interception {
  const original = stream.write;
  let text = '';
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (passThrough) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) queueMicrotask(callback);
    return true;
  } as typeof stream.write;
  return {
    lines() {
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines;
    },
    restore() {
      stream.write = original;
    },
  };
}
