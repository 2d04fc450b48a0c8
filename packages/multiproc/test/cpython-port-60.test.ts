// CPython's Lib/test/_test_multiprocessing.py, the one class no earlier port names
// (cpython-port-29, -39-*, -43, -45, -51, -52, -53, -54, -56, -58; 58's header maps every other
// test method to the port that has it, or says why none): _TestZZZNumberOfObjects, ported to this
// API in both contexts (Python's start methods). Python runs it after every test of the manager
// form (its name sorts last) and asserts that the manager then serves no object the tests left
// behind but the pool it still holds: every proxy that a worker took has been released (Python's
// refcounts release it as the task returns). Here the manager form's tests are
// TestSyncManagerTypes' (each proxy used by a Process, then by the tasks of a Pool), and the count
// is taken by a program run with --expose-gc, so that this side collects its own proxies as
// Python's gc.collect() does; the workers collect by themselves once idle.
//
// Past Python: a Process killed while it holds a proxy (Python skips test_terminate in the manager
// form because a killed holder leaked there), and proxies a task or Process never used.
//
// Faults found, fixed in ipc and core (their CI test: manager-proxy-collected-60.test.ts): a proxy
// a task or Process never called kept its object for ever, and an idle pool worker kept the objects
// of the proxies its tasks had used while it lived (in a child process, all but the first task's).
import { describe, expect, it } from 'vitest';
import { CONTEXTS } from './cpython-kit.ts';
import { runProgram } from './report-helpers.ts';

const run = (scenario: string, context: string) =>
  runProgram('cpython-port-60-objects.mjs', [scenario, context], ['--expose-gc']);

describe.each(CONTEXTS)('_TestZZZNumberOfObjects in the %s context', (context) => {
  it('test_number_of_objects: after TestSyncManagerTypes through Processes, none is left', {
    timeout: 60_000,
  }, async () => {
    const r = await run('processes', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'made 15\nexit codes 0\nleft 0\n' });
  });

  it('test_number_of_objects: after the same through a Pool, none is left while it lives, nor after', {
    timeout: 60_000,
  }, async () => {
    const r = await run('pool', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'made 15\npool alive 0\nleft 0\n' });
  });

  it('a Process killed while it holds a Lock proxy leaves nothing behind', { timeout: 60_000 }, async () => {
    const r = await run('killed', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'exit code -9\nleft 0\n' });
  });

  it('proxies a pool task or a Process took and never used leave nothing behind', {
    timeout: 60_000,
  }, async () => {
    const r = await run('unused', context);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'pool alive 0\nprocess ended 0\n' });
  });
});
