// `node --inspect=<port> app.mjs`: each 'process' child gets an inspector port of its own (port 0:
// the system picks a free one) instead of retrying the program's port ("address already in use"
// once per child); `--inspect-brk` does not make a child wait for a debugger.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runNodeInGroup } from './group.ts';
import { fixture } from './helpers.ts';

const PROGRAM = join(fixture('start-args'), 'inspected.mjs');

/** A port free right now on 127.0.0.1, for the program's own inspector. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.concurrent('a program run with the inspector on', () => {
  it.for<string>(['execArgv', 'NODE_OPTIONS'])(
    'with --inspect=127.0.0.1:<port> in %s, every child listens on a port of its own',
    { timeout: 70_000 },
    async (where, { expect, onTestFinished }) => {
      const flag = `--inspect=127.0.0.1:${await freePort()}`;
      const run = runNodeInGroup(
        where === 'execArgv' ? [flag, PROGRAM] : [PROGRAM],
        60,
        onTestFinished,
        `inspect ${where}`,
        where === 'execArgv' ? {} : { env: { ...process.env, NODE_OPTIONS: flag } },
      );
      const { stdout, stderr, code } = await run.done;
      expect(stderr).not.toContain('address already in use');
      expect(stdout).toContain('map 1,2,3,4');
      expect(stdout).toContain('process scaled 5');
      expect(stdout).toContain('process exit 0');
      // The program's own listener, then one per child: the Process, and each pool worker that
      // started (the second may still be starting when the first has run all four items).
      const ports = [...stderr.matchAll(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//g)].map(
        (m) => m[1],
      );
      expect(ports.length).toBeGreaterThanOrEqual(3);
      expect(new Set(ports).size).toBe(ports.length);
      expect(code).toBe(0);
    },
  );
});
