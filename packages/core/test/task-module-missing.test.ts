// A task module that is not there: a path given to defineTasks() that names no file (a typo, a
// path relative to another folder, a file moved since). Node's message names the importer, which for
// the task module itself is this library's worker entry; the error says which file is missing and
// what defineTasks() wants instead. A module the task module imports that is missing keeps Node's
// message, which names the task module as its importer.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineTasks, Pool, ProcessError } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const dir = mkdtempSync(join(tmpdir(), 'multiproc-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nowhere = join(dir, 'tasks-typo.mjs');
const importsGone = join(dir, 'imports-gone.mjs');
writeFileSync(importsGone, "import './gone.mjs';\nexport const x = 1;\n");

describe.each(matrix(import.meta.url))('a task module that is not there, %s context', (context) => {
  it('names the missing file and says what defineTasks() takes, given a path or a URL', async () => {
    const pool = new Pool({ processes: 1, context });
    try {
      for (const where of [nowhere, pathToFileURL(nowhere)]) {
        const tasks = defineTasks(where, { ok: () => 1 });
        const error = (await pool.apply(tasks.ok).catch((e: Error) => e)) as Error;
        expect(error).toBeInstanceOf(ProcessError);
        expect(error.message).toBe(
          `Cannot import the task module ${pathToFileURL(nowhere).href}: there is no file ${nowhere}. ` +
            'defineTasks() takes the URL of the module that calls it: write defineTasks(import.meta.url, ...) ' +
            'in that module (__filename in CommonJS), and keep the file in place while workers may start.',
        );
        expect((error.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
      }
      // A module it imports that is missing: Node's message, naming the task module as the importer.
      const tasks = defineTasks(importsGone, { ok: () => 1 });
      const error = (await pool.apply(tasks.ok).catch((e: Error) => e)) as Error;
      expect(error).toBeInstanceOf(ProcessError);
      expect(error.message).toMatch(/Cannot find module '.*gone\.mjs' imported from .*imports-gone\.mjs/);
    } finally {
      await pool.terminate();
    }
  });
});
