// Reading back the error a child process printed as it died while loading: Node's own report of an
// uncaught error on stderr, taken from real programs that fail the ways a pool worker's entry can.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WorkerStartError } from '../src/errors.js';
import { reportedError, StartOutput } from '../src/internal/load-failure.js';
import { diedStarting } from '../src/internal/start-failure.js';
import { fixture } from './helpers.ts';

/** The stderr of `node <args>`, which must fail. */
function stderrOf(...args: string[]): string {
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 10_000 });
  expect(run.status).toBe(1);
  return run.stderr;
}

describe('reportedError', () => {
  it('rebuilds an error thrown at the top level of a module: name, message and the stack naming the file', () => {
    const error = reportedError(stderrOf(fixture('broken-entry/multiproc-pool-worker.mjs')));
    expect(error).toBeInstanceOf(Error);
    expect([error!.name, error!.message]).toEqual(['Error', 'broken worker entry']);
    expect(error!.stack).toMatch(
      /^Error: broken worker entry\n\s+at .*broken-entry\/multiproc-pool-worker\.mjs:\d+:\d+/,
    );
  });

  it('keeps the code of an error Node prints with one, such as a module that cannot be found', () => {
    const error = reportedError(
      stderrOf('--input-type=module', '-e', "import '/nonexistent/entry/worker.js';"),
    );
    expect(error!.name).toBe('Error');
    expect((error as Error & { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    expect(error!.message).toMatch(/^Cannot find module '\/nonexistent\/entry\/worker\.js'/);
  });

  it('finds nothing in output without an error report', () => {
    expect(reportedError('hello\nworld\n')).toBeUndefined();
    expect(reportedError('')).toBeUndefined();
  });
});

describe('StartOutput', () => {
  it('reads the error written before the child was ready, and forgets its output once it is', () => {
    const text = stderrOf(fixture('broken-entry/multiproc-pool-worker.mjs'));
    const starting = new StartOutput();
    for (const line of text.split(/(?<=\n)/)) starting.add(line);
    expect(starting.error()?.message).toBe('broken worker entry');
    const ready = new StartOutput();
    ready.add('loading\n');
    ready.ready();
    ready.add(text);
    expect(ready.error()).toBeUndefined();
  });
});

describe('diedStarting', () => {
  it('names the error and file of a worker that threw while loading, not the system limits', () => {
    const cause = reportedError(stderrOf(fixture('broken-entry/multiproc-pool-worker.mjs')));
    const error = diedStarting('process', 1, null, cause);
    expect(error).toBeInstanceOf(WorkerStartError);
    expect([error.code, (error as WorkerStartError).errno, error.cause]).toEqual([
      'MP_WORKER_START',
      undefined,
      cause,
    ]);
    expect(error.message).toMatch(/broken worker entry \(thrown at .*multiproc-pool-worker\.mjs:\d+:\d+\)/);
    expect(error.message).not.toMatch(/fewer workers|limits/);
  });

  it('keeps the limits advice for a worker that died before it was ready without saying why', () => {
    const error = diedStarting('thread', 1, null, undefined);
    expect(error.message).toMatch(/exited with code 1 before it was ready.*limits/);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL'])(
    'says a child killed by %s while starting was signalled from outside, without the limits advice',
    (signal) => {
      const error = diedStarting('process', null, signal, undefined);
      expect(error).toBeInstanceOf(WorkerStartError);
      expect(error.message).toContain(`killed by ${signal} while starting`);
      expect(error.message).not.toMatch(/fewer workers|limits\./);
    },
  );

  it('keeps the limits advice for a child that aborted while starting (SIGABRT)', () => {
    const error = diedStarting('process', null, 'SIGABRT', undefined);
    expect(error.message).toMatch(/killed by SIGABRT before it was ready.*limits/);
  });
});
