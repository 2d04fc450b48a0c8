// A pool child's IPC channel that closes under it: during shutdown, a child that then sends (a
// late answer, as tinypool's entry gives one) exits quietly, with no EPIPE trace on the user's
// stderr; mid-task, the call it was running still fails with WorkerCrashedError.
import { expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

it('a pool child that sends after join() closed its channel exits without a trace on stderr', {
  timeout: 30_000,
}, async () => {
  const { stdout, stderr, code } = await runProgram('channel-loss.mjs', ['late']);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['task returned', 'joined']);
  expect(stderr).not.toMatch(/EPIPE|Unhandled 'error'|ERR_IPC/);
  expect(stderr).toBe('');
  expect(code).toBe(0);
});

it('a pool child that loses its channel mid-task fails that call with WorkerCrashedError', {
  timeout: 30_000,
}, async () => {
  const { stdout, stderr, code } = await runProgram('channel-loss.mjs', ['midTask']);
  expect(stdout.split('\n').filter(Boolean)).toEqual(['crashed true MP_WORKER_CRASHED', 'next 49']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
