// A context object costs what its members cost (issue #18): getContext('process') or ('thread')
// and its queues and pipes load core's hub only (the context objects and Process), not the pool's
// code (`dist/lazy/first-use`, `dist/chunks/pool`: ~10 ms of CPU); a context's `Pool` is made on
// first read and loads it then, and is the same class as before. In a fresh program on the built
// output (multiprocBuild.throughIndex).
import { expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

it("getContext() and its queues load core's hub only; the context's first Pool loads the pool's code", async () => {
  const { stdout, stderr, code } = await runProgram('context-first-use.mjs', [], {}, 30_000);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({
    contexts: { files: ['chunks/hub'], process: 'function', name: 'process' },
    pools: {
      files: ['chunks/hub', 'chunks/pool', 'lazy/first-use'],
      squared: 49,
      shape: ['Pool', true, true, true, true, true, false, true],
    },
  });
}, 40_000);
