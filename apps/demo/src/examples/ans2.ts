/**
 * Ans2, "processes vs threads": the same work in the `'thread'` and the `'process'` context, measured
 * (start-up, per-task overhead) and tested for isolation (a worker given the parent's memory writes
 * over it and crashes: a thread can reach the parent's memory, a process cannot).
 *
 * Each context is a `getContext(name)` object, as in Python's `ctx = multiprocessing.get_context(...)`:
 * `ctx.Process` and `ctx.Pool` run their workers there.
 */
import mp, { type Context, type TaskArgs } from '@multiproc/multiproc';
import { check, type Example } from '../example.js';
import { formatMs, pyRepr, round } from '../format.js';
import { tasks } from '../tasks/work.js';

const STARTS = 2; // Process start-ups averaged
const TINY_TASKS = 200; // tasks timed for the per-task overhead
const ORIGINAL = [1, 2, 3];

interface Measured {
  startMs: number;
  perTaskUs: number;
  workerPid: number;
  crashExitCode: number | null;
  memoryAfter: number[];
  sharedMemoryRefused?: string;
}

/** Mean time to start a `Process` that does nothing and join it, after one start as a warm-up. */
async function startupMs(ctx: Context): Promise<number> {
  let total = 0;
  for (let i = 0; i <= STARTS; i++) {
    const started = performance.now();
    const p = new ctx.Process({ target: tasks.noop });
    p.start();
    await p.join();
    if (i > 0) total += performance.now() - started;
  }
  return total / STARTS;
}

/** A worker gets the parent's numbers, overwrites them with -1 and exits with code 3. */
async function scribble(
  ctx: Context,
): Promise<Pick<Measured, 'crashExitCode' | 'memoryAfter' | 'sharedMemoryRefused'>> {
  const shared = new mp.SharedArray('i', ORIGINAL);
  let sharedMemoryRefused: string | undefined;
  let args: TaskArgs<typeof tasks.scribbleAndCrash> = [shared];
  if (ctx.getStartMethod() === 'process') {
    // Shared memory cannot cross into another process: the library refuses it up front.
    try {
      new ctx.Process({ target: tasks.scribbleAndCrash, args }).start();
    } catch (err) {
      sharedMemoryRefused = (err as Error).name;
    }
    check(
      sharedMemoryRefused === 'ContextError',
      'shared memory sent to a process should fail with ContextError',
    );
    args = [[...shared.view]]; // so the child gets a copy of the numbers instead
  }
  const p = new ctx.Process({ target: tasks.scribbleAndCrash, args });
  p.start();
  await p.join();
  return {
    crashExitCode: p.exitCode,
    memoryAfter: [...shared.view],
    ...(sharedMemoryRefused ? { sharedMemoryRefused } : {}),
  };
}

async function measure(ctx: Context): Promise<Measured> {
  const startMs = await startupMs(ctx);
  const pool = new ctx.Pool({ processes: 2 });
  let pid: number;
  let perTaskUs: number;
  try {
    ({ pid } = await pool.apply(tasks.whereAmI, []));
    await pool.map(tasks.noop, [1, 2]); // both workers up before timing
    const started = performance.now();
    await pool.map(tasks.noop, Array.from({ length: TINY_TASKS }), { chunksize: 1 });
    perTaskUs = ((performance.now() - started) * 1000) / TINY_TASKS;
  } catch (err) {
    await pool.terminate();
    throw err;
  }
  pool.close();
  await pool.join();
  return { startMs, perTaskUs, workerPid: pid, ...(await scribble(ctx)) };
}

export const ans2: Example = {
  name: 'ans2',
  title: "Ans2 · processes vs threads: the 'thread' and 'process' contexts, measured",
  summary: 'start-up, per-task overhead and isolation of worker threads vs child processes, as a table',
  needs: ['getContext', 'SharedArray'],
  async run({ out }) {
    const thread = await measure(mp.getContext('thread'));
    const proc = await measure(mp.getContext('process'));
    const pidCell = (m: Measured) =>
      `${m.workerPid} (${m.workerPid === process.pid ? "the parent's" : 'its own'})`;
    const memoryCell = (m: Measured) =>
      `${pyRepr(m.memoryAfter)} ${m.memoryAfter.every((v, i) => v === ORIGINAL[i]) ? 'intact' : 'overwritten'}`;
    out.table([
      ['', 'thread', 'process'],
      ['start a Process, join it', formatMs(thread.startMs), formatMs(proc.startMs)],
      [
        'per-task overhead',
        `${Math.round(thread.perTaskUs).toLocaleString('en-US')} µs`,
        `${Math.round(proc.perTaskUs).toLocaleString('en-US')} µs`,
      ],
      ['worker pid', pidCell(thread), pidCell(proc)],
      [
        'worker crashes (exit 3)',
        `parent runs on, sees ${thread.crashExitCode}`,
        `parent runs on, sees ${proc.crashExitCode}`,
      ],
      ['parent memory after', memoryCell(thread), memoryCell(proc)],
    ]);
    out.note(
      `Parent pid ${process.pid}. Start-up: mean of ${STARTS} after a warm-up; overhead: ${TINY_TASKS} empty tasks on 2 workers.`,
    );
    out.note("Threads share the parent's process: they start fast and can share memory, so a bad worker can");
    out.note('overwrite it. A child process has its own memory: whatever it does, the parent is untouched.');
    check(
      thread.crashExitCode === 3 && proc.crashExitCode === 3,
      'each crashing worker should exit with code 3',
    );
    check(thread.workerPid === process.pid && proc.workerPid !== process.pid, 'unexpected worker pids');
    check(pyRepr(proc.memoryAfter) === pyRepr(ORIGINAL), "a child process changed the parent's memory");
    const json = (m: Measured) => ({ ...m, startMs: round(m.startMs), perTaskUs: round(m.perTaskUs) });
    return { parentPid: process.pid, thread: json(thread), process: json(proc) };
  },
};
