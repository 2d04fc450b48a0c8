// A program awaiting several waits of different kinds at once that nothing can end (a queue's get
// and a lock's acquire, say) must see each reject and then end, as one such wait does (contract,
// "Timeouts and waiting": "when nothing can any more, it rejects instead of letting the program
// end with an unsettled await"). Each kind's deadlock rule (ipc's for queues and pipes, shared's for
// locks and events) used to take the other's turn-giving timer for work, so neither ever gave its
// verdict: the program spun at the end of its loop for ever, and a worker's target never returned.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBounded } from './sync-wait-kit.ts';

const PROGRAM = fileURLToPath(new URL('./fixtures/stuck-waits-program.mjs', import.meta.url));
/** Alone each case ends within ~0.3 s; a program still running after this is a hang. */
const LIMIT_MS = 10_000;

/** Runs the program; its GOT lines sorted (the order of kinds is not fixed), or 'hang'. */
async function run(
  args: string[],
): Promise<{ lines: string[] | 'hang'; code: number | null; stderr: string }> {
  const { stdout, stderr, code, hung } = await runBounded(PROGRAM, args, LIMIT_MS);
  const lines = stdout.split('\n').filter((l) => l.startsWith('GOT '));
  return { lines: hung ? 'hang' : lines.sort(), code, stderr };
}

describe.concurrent('waits of different kinds that nothing can end, pending together', () => {
  it('in the main thread: a queue get and a lock acquire both reject, and the program ends', async () => {
    const { lines, code, stderr } = await run(['main', 'get+acquire']);
    expect(lines, stderr).toEqual(['GOT acquire LockError', 'GOT get EOFError']);
    expect(code).toBe(0);
  }, 20_000);

  it('in the main thread: a pipe recv, a queue put, an event wait and a semaphore acquire', async () => {
    const { lines, code, stderr } = await run(['main', 'recv+put+event+semaphore']);
    expect(lines, stderr).toEqual([
      'GOT event LockError',
      'GOT put EOFError',
      'GOT recv EOFError',
      'GOT semaphore LockError',
    ]);
    expect(code).toBe(0);
  }, 20_000);

  it('one rule at a time: a get whose failure releases the lock lets the acquire resolve', async () => {
    const { lines, code, stderr } = await run(['main', 'get-releases+acquire']);
    expect(lines, stderr).toEqual(['GOT acquire resolved true', 'GOT get EOFError']);
    expect(code).toBe(0);
  }, 20_000);

  // The oldest wait gives up first, whichever kind the program happened to wait on first before:
  // the rule that first waited used to go first, so an unrelated earlier lock wait made the
  // acquire below reject although the get's failure would have released its lock.
  it.each([
    ['get-releases+acquire', 'acquire', ['GOT acquire resolved true', 'GOT get EOFError']],
    ['get-releases+acquire', 'get', ['GOT acquire resolved true', 'GOT get EOFError']],
    ['acquire-puts+get', 'get', ['GOT acquire LockError', 'GOT get resolved put']],
    ['acquire-puts+get', 'acquire', ['GOT acquire LockError', 'GOT get resolved put']],
  ])(
    'one rule at a time, oldest wait first: %s after an earlier %s wait',
    async (list, before, want) => {
      const { lines, code, stderr } = await run(['main', list, '', before]);
      expect(lines, stderr).toEqual(want);
      expect(code).toBe(0);
    },
    20_000,
  );

  it("in a 'thread' Process's target: both reject there and the target returns", async () => {
    const { lines, code, stderr } = await run(['worker', 'get+event', 'thread']);
    expect(lines, stderr).toEqual(['GOT event LockError', 'GOT exitCode 0', 'GOT get EOFError']);
    expect(code).toBe(0);
  }, 20_000);
});
