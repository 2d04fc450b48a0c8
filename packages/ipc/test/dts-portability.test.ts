// The published .d.ts of every package must compile on TypeScript 5.4 to 5.6 too: there Buffer and
// the typed arrays are not generic (@types/node's ts5.6 types), so an inferred `Buffer<ArrayBuffer>`
// (what TypeScript 5.7+ emits for `Buffer.from(...)`) breaks a user's build with TS2315.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const GENERIC_BINARY =
  /\b(Buffer|Uint8Array|Uint8ClampedArray|Int8Array|Uint16Array|Int16Array|Int32Array|Uint32Array|Float32Array|Float64Array|BigInt64Array|BigUint64Array|DataView)</;

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
}

describe('published declarations', () => {
  it('use no generic Buffer or typed array forms (TypeScript 5.7+ only)', () => {
    const offending: string[] = [];
    for (const pkg of ['shared', 'ipc', 'core', 'bullmq', 'multiproc']) {
      for (const file of declarationFiles(join(PACKAGES, pkg, 'dist'))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (GENERIC_BINARY.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offending).toEqual([]);
  });
});
