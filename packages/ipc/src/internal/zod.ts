/**
 * zod, loaded on first use. It takes ~70-110 ms to import, and every worker multiproc starts
 * imports this package (for its codecs), so a worker that never validates never pays for it.
 */
import { createRequire } from 'node:module';
import type * as Z from 'zod';

let loaded: typeof Z | undefined;

/** The `z` namespace of zod, imported synchronously on the first call. */
export function zod(): typeof Z.z {
  loaded ??= requireZod();
  return loaded.z;
}

function requireZod(): typeof Z {
  try {
    return createRequire(import.meta.url)('zod') as typeof Z;
  } catch (err) {
    // A bundle has no node_modules to resolve from; there the bare require('zod') below is what the
    // bundler saw and bundled. It comes second: `node -e` defines a global `require` that resolves
    // from the working directory and could load another copy of zod.
    try {
      return require('zod') as typeof Z;
    } catch {
      throw err;
    }
  }
}
