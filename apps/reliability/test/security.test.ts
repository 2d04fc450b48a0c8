// Security: a worker runs only functions its task module registered with defineTasks() (never a
// name inherited from Object.prototype), imports task modules from files only, and the packages
// read no environment variable or file beyond the declared list (src/audit.ts).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTasks, Pool, ProcessError, ValidationError } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { undeclaredReads } from '../src/audit.ts';
import { tasks } from '../src/tasks.ts';

const pools: Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.terminate()));
});

describe.each(['thread', 'process'] as const)('a %s worker runs registered tasks only', (context) => {
  const pool = new Pool({ processes: 1, context });
  pools.push(pool);

  // Registered here, in this thread only: the worker's copy of the module registers none of them.
  const names = ['notRegistered', 'constructor', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];
  it.each(names)('refuses a task named %s that its module did not register', async (name) => {
    const ref = defineTasks(tasks.identity.module, { [name]: () => 'ran here' })[name]!;
    const call = pool.apply(ref, [5] as never);
    await expect(call).rejects.toBeInstanceOf(ProcessError);
    await expect(call).rejects.toThrow(name);
    expect(await pool.apply(tasks.identity, [7])).toBe(7); // the worker lives on
  });

  it('refuses a task module that is not a file, without evaluating it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-sec-'));
    const marker = join(dir, 'evaluated');
    try {
      const code = `import('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(marker)}, 'x'))`;
      const module = `data:text/javascript,${encodeURIComponent(code)}`;
      expect(() => defineTasks(module, { x: () => 0 })).toThrow(ValidationError);
      // A hand-made reference gets past defineTasks(); the worker still refuses it.
      const forged = Object.assign(() => 0, {
        module,
        taskName: 'x',
        [Symbol.for('multiproc.taskRef')]: true,
      });
      await expect(pool.apply(forged as never, [] as never)).rejects.toThrow(/must be files/);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('environment and files', () => {
  it('the packages read only the environment variables and files the docs list', () => {
    expect(undeclaredReads()).toEqual([]);
  });
});
