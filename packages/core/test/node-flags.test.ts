// Node flags of the program that would change what a pool or a queue does silently or fail it with
// misleading advice: whole programs in their own process group (start-args.test.ts's way).
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'vitest';
import { expectPrints, PERMISSION_FLAG } from './group.ts';
import { fixture } from './helpers.ts';

const DIR = fixture('start-args');

describe('V8 heap flags against a pool of threads with resourceLimits', () => {
  // Node sizes every thread's heap from --max-old-space-size when it is set (nodejs/node#43991):
  // the pool ran with 200 MB per thread where 64 were asked for, and said nothing.
  for (const [where, args, env] of [
    ['the command line', ['--max-old-space-size=200'], {}],
    ['NODE_OPTIONS', [], { NODE_OPTIONS: '--max-old-space-size=200' }],
  ] as const) {
    it(`a heap flag on ${where} refuses the thread limit with ValidationError naming it`, async ({
      expect,
      onTestFinished,
    }) => {
      const lines = [
        'thread ValidationError MP_VALIDATION true',
        'equal accepted',
        'process limit below the flag true',
      ];
      await expectPrints(
        expect,
        onTestFinished,
        'heap',
        [...args, join(DIR, 'heap-flag-limits.mjs')],
        lines,
        {
          env: { ...process.env, ...env },
        },
      );
    }, 50_000);
  }
});

describe("Node's permission model without --allow-fs-write", () => {
  it('a queue for a child process fails with ProcessError naming --allow-fs-write, not TMPDIR', async ({
    expect,
    onTestFinished,
  }) => {
    const args = [
      '--no-warnings',
      PERMISSION_FLAG,
      '--allow-fs-read=*',
      '--allow-worker',
      '--allow-child-process',
      join(DIR, 'permission-sockets.mjs'),
    ];
    await expectPrints(expect, onTestFinished, 'permission-sockets', args, [
      'ProcessError true false',
      'went on',
    ]);
  }, 50_000);

  it('reading limited to the program and the temporary folder: a child process with a queue runs', async ({
    expect,
    onTestFinished,
  }) => {
    // `existsSync('/bin/sh')` (the reaper's probe) threw ERR_ACCESS_DENIED out of the first
    // Process or Pool, in either context: the program ended with Node's raw error.
    const tmp = resolve(tmpdir());
    const args = [
      '--no-warnings',
      PERMISSION_FLAG,
      `--allow-fs-read=${resolve(DIR, '../../../../..')}`,
      `--allow-fs-read=${tmp}`,
      `--allow-fs-write=${tmp}`,
      '--allow-worker',
      '--allow-child-process',
      join(DIR, 'permission-sockets.mjs'),
    ];
    await expectPrints(expect, onTestFinished, 'permission-read', args, ['started []', 'went on']);
  }, 50_000);
});
