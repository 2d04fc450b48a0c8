/**
 * HMAC-SHA256 signatures over jobs, results and control messages, keyed by the shared secret
 * (Python's `authkey`). Each signed text names what it is (`job`, `result`, ...) and where it
 * belongs (queue, job id), so a genuine signature cannot be replayed into another pool or job.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@multiproc/core';

/** The environment variable the secret is read from when no option gives it. */
export const SECRET_ENV = 'MULTIPROC_SECRET';
/** The shortest secret accepted, in bytes. */
export const MIN_SECRET_BYTES = 16;

/** The secret from `given` or the environment, checked. */
export function resolveSecret(given: string | Uint8Array | undefined, who: string): Buffer {
  const raw = given ?? process.env[SECRET_ENV];
  if (raw === undefined || raw === '') {
    throw new ValidationError(
      `${who} needs a shared secret to sign jobs and results: pass { secret } or set ${SECRET_ENV} ` +
        '(every worker needs the same one; for example `openssl rand -hex 32`).',
    );
  }
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    throw new ValidationError(`${who}: option 'secret' must be a string or a Uint8Array.`);
  }
  const key = Buffer.from(raw);
  if (key.length < MIN_SECRET_BYTES) {
    throw new ValidationError(
      `${who}: the secret is ${key.length} bytes; use at least ${MIN_SECRET_BYTES} (for example \`openssl rand -hex 32\`).`,
    );
  }
  return key;
}

/** Signs and checks texts with one secret. */
export class Signer {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** The hex signature of `parts` (each length-prefixed, so no two lists sign alike). */
  sign(...parts: readonly (string | Uint8Array)[]): string {
    const hmac = createHmac('sha256', this.#key);
    for (const part of parts) hmac.update(`${part.length}:`).update(part);
    return hmac.digest('hex');
  }

  /** Whether `signature` is the signature of `parts`, compared in constant time. */
  verify(signature: unknown, ...parts: readonly (string | Uint8Array)[]): boolean {
    if (typeof signature !== 'string' || signature.length !== 64) return false;
    const expected = Buffer.from(this.sign(...parts), 'hex');
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** A short tag of `text`, for ids that should not verify under another secret. */
  tag(text: string): string {
    return this.sign('tag', text).slice(0, 16);
  }
}
