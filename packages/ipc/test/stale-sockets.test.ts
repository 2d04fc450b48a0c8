// A program killed by SIGKILL cannot remove its socket files: the next program of this library
// that binds one sweeps the temp folder of those whose owner is gone (its pid not running, nobody
// listening), and never touches a live program's.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Listener } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './helpers.js';

const OWNER = new URL('./fixtures/socket-owner.mjs', import.meta.url);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Paths {
  readonly listener: string;
  readonly broker: string;
}

/** Starts a program that binds two socket files; resolves with it and their paths. */
async function owner(): Promise<{ child: ChildProcess; paths: Paths }> {
  const child = spawn(process.execPath, [OWNER.pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  return { child, paths: JSON.parse(await firstLine(lines)) as Paths };
}

function firstLine(lines: ReturnType<typeof createInterface>): Promise<string> {
  return new Promise((resolve, reject) => {
    lines.once('line', resolve);
    lines.once('close', () => reject(new Error('the program ended before printing its paths')));
  });
}

describe('socket files of a SIGKILLed program', () => {
  it('are removed when a new socket is bound; a live program keeps its own', {
    timeout: 20_000,
  }, async () => {
    const dead = await owner();
    const live = await owner();
    const exited = new Promise((resolve) => dead.child.once('exit', resolve));
    dead.child.kill('SIGKILL');
    await exited;
    expect(existsSync(dead.paths.listener)).toBe(true);
    expect(existsSync(dead.paths.broker)).toBe(true);

    const listener = new Listener();
    await listener.ready();
    try {
      expect(
        await until(() => !existsSync(dead.paths.listener) && !existsSync(dead.paths.broker), 5000),
      ).toBe(true);
      expect(existsSync(live.paths.listener)).toBe(true);
      expect(existsSync(live.paths.broker)).toBe(true);
      expect(existsSync(listener.address as string)).toBe(true);
    } finally {
      listener.close();
    }
  });
});
