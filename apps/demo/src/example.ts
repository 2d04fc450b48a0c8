/** What an example is, what it gets to run, and how it reports a failed check. */
import type { ContextName } from '@multiproc/multiproc';
import type { ApiName } from './api.js';
import type { BackendName, DemoPool } from './backend.js';
import type { Reporter } from './report.js';

/** JSON-friendly data an example returns: it goes into `--json` output as `result`. */
export type ExampleData = Record<string, unknown>;

/** What an example runs with. */
export interface ExampleContext {
  /** The context chosen with `--context`: where workers run. */
  readonly context: ContextName;
  /**
   * Makes a pool on the backend chosen with `--backend`: a local `Pool` in `context`, or the same
   * interface on BullMQ workers (`--backend bullmq`).
   */
  pool(options: { processes: number }): DemoPool;
  /** Where the example prints: headings, result lines, notes, tables, progress. */
  readonly out: Reporter;
  /**
   * Runs `fn` and records every line written to stdout meanwhile (the workers' output arrives
   * there, one whole line at a time), still showing it unless the output is JSON.
   */
  captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }>;
}

/** One section of the demo. */
export interface Example {
  /** The name used by `--only`, e.g. `ans5`. */
  readonly name: string;
  /** The heading. */
  readonly title: string;
  /** One line for `--list`. */
  readonly summary: string;
  /** The public names it needs; when one is not exported yet the section reports so and is skipped. */
  readonly needs: readonly ApiName[];
  /** The backends it runs on (it makes its pool with `ctx.pool`). @default ['local'] */
  readonly backends?: readonly BackendName[];
  run(ctx: ExampleContext): Promise<ExampleData>;
}

/** An example ran but its result was not what it should be. */
export class CheckError extends Error {
  override readonly name = 'CheckError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** Throws a {@link CheckError} unless `ok`. */
export function check(ok: boolean, message: string, hint?: string): asserts ok {
  if (!ok) throw new CheckError(message, hint);
}
