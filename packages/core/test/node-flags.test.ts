// Node flags of the program that would change what a pool or a queue does silently or fail it with
// misleading advice: whole programs in their own process group (start-args.test.ts's way).
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runNodeInGroup } from './group.ts';
import { fixture } from './helpers.ts';

const DIR = fixture('start-args');
const PERMISSION = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';

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
      const run = runNodeInGroup([...args, join(DIR, 'heap-flag-limits.mjs')], 40, onTestFinished, 'heap', {
        env: { ...process.env, ...env },
      });
      const { stdout, stderr, code } = await run.done;
      expect(stdout, stderr).toBe(
        [
          'thread ValidationError MP_VALIDATION true',
          'equal accepted',
          'process limit below the flag true',
          '',
        ].join('\n'),
      );
      expect(code).toBe(0);
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
      PERMISSION,
      '--allow-fs-read=*',
      '--allow-worker',
      '--allow-child-process',
      join(DIR, 'permission-sockets.mjs'),
    ];
    const run = runNodeInGroup(args, 40, onTestFinished, 'permission-sockets');
    const { stdout, stderr, code } = await run.done;
    expect(stdout, stderr).toBe(['ProcessError true false', 'went on', ''].join('\n'));
    expect(code).toBe(0);
  }, 50_000);
});
