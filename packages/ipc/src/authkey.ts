/**
 * The process's authentication key: Python's `current_process().authkey`, the default secret of
 * managers. Kept on a registered symbol so every copy of the package in a realm agrees on it.
 */
import { ValidationError } from '@multiproc/shared';

const AUTHKEY = Symbol.for('multiproc.authkey');
/** Length of a generated key, in bytes (Python: `os.urandom(32)`). */
const KEY_BYTES = 32;

type Holder = Record<symbol, Uint8Array | undefined>;

/**
 * `KEY_BYTES` cryptographically random bytes. On Node outside Windows they are read from
 * `/dev/urandom`, the kernel's random generator (Python's `os.urandom` reads the same one, through
 * `getrandom()`): ~0.4 ms, where `globalThis.crypto` first loads Node's crypto modules, 4-10 ms of
 * CPU that a program starting one `Process` would pay for this key alone (issue #18). Anywhere
 * else, or when that file cannot be read (a sandbox, Node's permission model), Web Crypto's
 * `getRandomValues`.
 */
function randomKey(): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  const node = process.versions.bun === undefined && process.versions.deno === undefined;
  if (node && process.platform !== 'win32') {
    try {
      const fs = process.getBuiltinModule('node:fs');
      const fd = fs.openSync('/dev/urandom', 'r');
      try {
        if (fs.readSync(fd, key, 0, KEY_BYTES, null) === KEY_BYTES) return key;
      } finally {
        fs.closeSync(fd);
      }
    } catch {}
  }
  return globalThis.crypto.getRandomValues(key);
}

/**
 * This program's authentication key, 32 random bytes made on first use in the main program and
 * inherited by every `Process` and pool worker multiproc starts (their children too). It is the
 * default `authkey` of `BaseManager`/`Manager` (`start()` and `connect()`), so a worker reaches its
 * parent's manager by address alone. `Listener`/`Client` do not use it: without an `authkey` they do
 * not authenticate, as in Python. Python: `current_process().authkey`.
 * @returns a copy of the key (changing it changes nothing; use {@link setProcessAuthkey}).
 * @example
 * import { processAuthkey } from '@multiproc/ipc';
 * console.log(processAuthkey().length); // 32
 */
export function processAuthkey(): Uint8Array {
  const holder = globalThis as unknown as Holder;
  holder[AUTHKEY] ??= randomKey();
  return holder[AUTHKEY].slice();
}

/**
 * Replaces this program's authentication key; `Process`es and pools started after it inherit the new
 * one. Python: `current_process().authkey = b'...'`.
 * @param key - the secret: a non-empty string (UTF-8) or byte array.
 * @throws {ValidationError} for an empty key or one that is neither a string nor a Uint8Array.
 * @example
 * import { processAuthkey, setProcessAuthkey } from '@multiproc/ipc';
 * setProcessAuthkey('abracadabra');
 * console.log(new TextDecoder().decode(processAuthkey())); // 'abracadabra'
 */
export function setProcessAuthkey(key: string | Uint8Array): void {
  const bytes =
    typeof key === 'string' ? new TextEncoder().encode(key) : key instanceof Uint8Array ? key : null;
  if (!bytes || bytes.length === 0) {
    throw new ValidationError('setProcessAuthkey(): the key must be a non-empty string or Uint8Array.');
  }
  (globalThis as unknown as Holder)[AUTHKEY] = Uint8Array.from(bytes);
}
