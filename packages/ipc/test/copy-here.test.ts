// A pipe end or queue received in the very thread where its home lives (sent through a pipe or
// queue there): what it sends reaches a wait at home even when nothing else holds the event loop,
// a wait that only such an unused copy could end still rejects with EOFError, and so does a wait
// on such a copy itself once nothing could put to it (CONTRACT "Delivery"). Each case runs in a fresh program, where the loop can run dry: in its main thread,
// and inside a Process in each context.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import './core.js'; // fails loudly if core is not built

const PROGRAM = fileURLToPath(new URL('./fixtures/copy-here.mjs', import.meta.url));

function run(where: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PROGRAM, where], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

const EXPECTED = [
  'conn via pipe: through a pipe EOFError',
  'conn via queue: through a queue',
  'queue via pipe: put on the copy',
  'queue via queue: after a macrotask EOFError',
  'unused copy: EOFError function',
  'get on the copy: there EOFError',
];

describe('a copy received in its home thread', () => {
  it.each(['main', 'thread', 'process'])(
    'delivers what it sends to a pending wait at home, and an unused one ends nothing (%s)',
    async (where) => {
      const { stdout, stderr, code } = await run(where);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const tail = where === 'main' ? [''] : ['exitCode 0', ''];
      expect(stdout.split('\n')).toEqual([...EXPECTED, ...tail]);
    },
  );
});
