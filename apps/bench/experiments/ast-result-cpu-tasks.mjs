// Tasks of ast-result-cpu.mjs, loaded from the build named by MP_DIST (the workers inherit it, so
// both sides of a pool run the same build): parse a file with acorn and send back the whole AST.
import { readFileSync } from 'node:fs';
import { parse } from 'acorn';

const { defineTasks } = await import(process.env.MP_DIST);

export const tasks = defineTasks(import.meta.url, {
  /** The whole AST of a script (the bench's big-result case). */
  parseScript: (path) => parse(readFileSync(path, 'utf8'), { ecmaVersion: 'latest', sourceType: 'script' }),
  /** The whole AST of a module (medium results). */
  parseModule: (path) => parse(readFileSync(path, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }),
  /** This worker's CPU time so far, ms. */
  cpuMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
});
