/**
 * Runs the chosen examples one after another: heading, a check that the API it needs is exported,
 * the run itself (bounded by a timeout), and a status line. Failures never stop the others.
 */
import { activeChildren, type ContextName } from '@multiproc/multiproc';
import { missingApis, NotAvailableError } from './api.js';
import type { Backend } from './backend.js';
import { CheckError, type Example, type ExampleContext, type ExampleData } from './example.js';
import { formatMs, round } from './format.js';
import { interceptStream, type Reporter } from './report.js';

/** An example that hangs fails after this long instead of stalling the demo. */
export const EXAMPLE_TIMEOUT_MS = 30_000;

/** How one example went; also its entry in the `--json` document. */
export interface Outcome {
  name: string;
  title: string;
  /** `unavailable`: the API it needs is not exported by this build of multiproc yet. */
  status: 'passed' | 'failed' | 'unavailable';
  ok: boolean;
  durationMs: number;
  result?: ExampleData;
  error?: { name: string; message: string; hint: string; stack?: string };
  /** What the example's workers wrote to stderr (shown as it happens with `--verbose`). */
  stderr?: string[];
}

/** Runs `examples` in order and returns one outcome each. */
export async function runExamples(
  examples: readonly Example[],
  context: ContextName,
  backend: Backend,
  out: Reporter,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const example of examples) outcomes.push(await runOne(example, context, backend, out));
  return outcomes;
}

async function runOne(
  example: Example,
  context: ContextName,
  backend: Backend,
  out: Reporter,
): Promise<Outcome> {
  out.heading(example.title);
  const base = { name: example.name, title: example.title };
  const missing = missingApis(example.needs);
  if (missing.length > 0) {
    const error = new NotAvailableError(missing);
    out.line(`${example.name}: ${error.message}`);
    return { ...base, status: 'unavailable', ok: false, durationMs: 0, error: describeError(error, false) };
  }
  const ctx: ExampleContext = {
    context,
    pool: (options) => backend.pool(options),
    out,
    async captureOutput(fn) {
      const capture = interceptStream(process.stdout, out.human);
      try {
        const value = await fn();
        return { value, lines: capture.lines() };
      } finally {
        capture.restore();
      }
    },
  };
  // Workers' stderr (the stack of a target that threw, a crash report) is kept out of the way
  // unless --verbose: the demo reports each failure as one line plus a hint.
  const stderr = interceptStream(process.stderr, out.options.verbose);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CheckError(`timed out after ${formatMs(EXAMPLE_TIMEOUT_MS)}`, TIMEOUT_HINT)),
        EXAMPLE_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([example.run(ctx), timeout]);
    const durationMs = round(performance.now() - started);
    out.note(`ok: ${example.name} in ${formatMs(durationMs)}`);
    return { ...base, status: 'passed', ok: true, durationMs, result, ...stderrOf(stderr.lines()) };
  } catch (err) {
    const durationMs = round(performance.now() - started);
    // A timed-out example may have left its processes running: stop them before going on.
    for (const child of activeChildren()) child.kill();
    const error = describeError(err, out.options.verbose);
    out.error(`✗ ${example.name} failed: ${error.name}: ${error.message}`);
    out.error(`  hint: ${error.hint}`);
    if (error.stack) out.error(error.stack);
    return { ...base, status: 'failed', ok: false, durationMs, error, ...stderrOf(stderr.lines()) };
  } finally {
    clearTimeout(timer);
    stderr.restore();
  }
}

const TIMEOUT_HINT = 'the machine may be very busy; run this example alone with --only, and --verbose';

function stderrOf(lines: string[]): { stderr?: string[] } {
  return lines.length > 0 ? { stderr: lines } : {};
}

/** One line and a hint for an error; the stack only when asked for. */
export function describeError(err: unknown, withStack: boolean): NonNullable<Outcome['error']> {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message.split('\n')[0] ?? '',
    hint: hintFor(e, typeof code === 'string' ? code : undefined),
    ...(withStack && e.stack ? { stack: e.stack } : {}),
  };
}

function hintFor(e: Error, code: string | undefined): string {
  if (e instanceof CheckError && e.hint) return e.hint;
  if (e instanceof NotAvailableError) return 'this section needs a newer build of multiproc (pnpm build)';
  if (e.name === 'WorkerCrashedError')
    return 'a worker died unexpectedly; run with --verbose to see its stderr';
  if (e.name === 'ContextError') return "shared memory works only in the 'thread' context (--context thread)";
  if (e.name === 'TimeoutError') return TIMEOUT_HINT;
  if (code === 'ERR_MODULE_NOT_FOUND') return 'build the workspace first: pnpm build (or npm run demo)';
  return 'run with --verbose for the stack and the workers’ stderr';
}
