// A manager's objects are freed once the proxies pool workers and Processes took are gone, as
// Python's refcounts free them when a task returns (CPython's _TestZZZNumberOfObjects; the whole
// port is cpython-port-60.test.ts). Two faults, each shown by a program (node --expose-gc, so this
// side can collect its own proxies):
// - a proxy a task or Process received and never called (passed by, or ignored) kept its object
//   in the manager for ever: the copy's take-up was reported with its first call only, and a realm
//   with no connection to the manager never reported it;
// - a pool worker that idled after tasks that used proxies kept their objects while it lived: it
//   collected garbage after a batch only for connections and queues, and a child process's copies
//   were still reachable at that one look (its later batches' were never looked for again);
// - a Process given a proxy of a TCP manager that it never called kept its object in the manager:
//   the report at its exit needs a connection, which at exit can be made to a Unix socket only.
import { describe, expect, it } from 'vitest';
import { CONTEXTS } from './cpython-kit.ts';
import { runProgram } from './report-helpers.ts';

const run = (scenario: string, context: string) =>
  runProgram('cpython-port-60-objects.mjs', [scenario, context], ['--expose-gc']);

describe.each(CONTEXTS)('manager objects taken by %s workers are freed', (context) => {
  it('a proxy a pool task or a Process never used: freed, the pool still alive', {
    timeout: 60_000,
  }, async () => {
    const r = await run('unused', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'pool alive 0\nprocess ended 0\n' });
  });

  it('a proxy of a TCP manager that a Process never used: freed as it ends', {
    timeout: 60_000,
  }, async () => {
    const r = await run('unused-process-tcp', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'process ended 0\n' });
  });

  it('proxies used by tasks of an idle pool: all freed while the pool lives', {
    timeout: 60_000,
  }, async () => {
    const r = await run('pool', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'made 15\npool alive 0\nleft 0\n' });
  });
});
