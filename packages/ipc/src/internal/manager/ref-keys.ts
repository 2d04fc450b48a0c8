/**
 * A proxy's manager key on its travels. A proxy never carries its manager's authkey readable:
 * sent anywhere (a worker, a queue, a Listener connection, `encodeValue()`), it travels as its
 * reference without the key, plus, when the key is not the sender's `processAuthkey()`, the key
 * sealed (AES-256-GCM) under a key derived from `processAuthkey()`. Only this program's own workers
 * share that key (every `Process` and pool worker inherits it), so they open the seal and reach a
 * manager of a custom key as the sender does; another program cannot read it.
 *
 * The receiver's key for the reference, in order: the sealed key when it opens here; the key this
 * thread used itself for a manager at that address (it started or connected it); its own
 * `processAuthkey()`, as Python's `RebuildProxy` uses `current_process().authkey`. A wrong one fails
 * the proxy's first call with `AuthenticationError`.
 */
import { processAuthkey } from '../../authkey.js';
import type { Address } from '../net/endpoint.js';
import type { ProxyRef } from './wire.js';

/** A reference as it travels: no `authkey`; `sealed`: the key, sealed, when not the sender's own. */
export type SentRef = Omit<ProxyRef, 'authkey' | 'lock' | 'over'> & {
  readonly sealed?: string;
  readonly lock?: SentRef;
  readonly over?: SentRef;
};

interface Sealer {
  /** This thread's processAuthkey, hex (the seal changes with it). */
  readonly own: string;
  readonly kek: Buffer;
  /** Key (hex) → its seal, and back: made once each. */
  readonly seals: Map<string, string>;
  readonly opened: Map<string, string | null>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
// The keys this thread reached a manager with, by address (JSON): start(), connect(), opened seals.
const known = new Map<string, string>();
let sealer: Sealer | null = null;

/** Records that this thread reaches the manager at `address` with `authkey` (hex). */
export function learnKey(address: Address, authkey: string): void {
  known.set(JSON.stringify(address), authkey);
}

/**
 * The manager at `address` that this thread served with `authkey` shut down: its key is no longer
 * needed to reach it (a manager started there later records its own), nor its seal.
 */
export function forgetKey(address: Address, authkey: string): void {
  const at = JSON.stringify(address);
  if (known.get(at) !== authkey) return;
  known.delete(at);
  for (const key of known.values()) if (key === authkey) return;
  sealer?.seals.delete(authkey);
}

// Read when a key is sealed or opened, not when the first-use code loads (issue #18).
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

function currentSealer(): Sealer {
  const own = Buffer.from(processAuthkey());
  const hex = own.toString('hex');
  if (sealer?.own !== hex) {
    const kek = crypto().createHash('sha256').update('multiproc.proxy-key\0').update(own).digest();
    sealer = { own: hex, kek, seals: new Map(), opened: new Map() };
  }
  return sealer;
}

function seal(s: Sealer, authkey: string): string {
  let sealed = s.seals.get(authkey);
  if (sealed === undefined) {
    const iv = crypto().randomBytes(IV_BYTES);
    const cipher = crypto().createCipheriv('aes-256-gcm', s.kek, iv);
    const body = Buffer.concat([cipher.update(Buffer.from(authkey, 'hex')), cipher.final()]);
    sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    s.seals.set(authkey, sealed);
  }
  return sealed;
}

/** The key `sealed` holds, or null when it was not sealed under this program's key. */
function open(s: Sealer, sealed: string): string | null {
  let authkey = s.opened.get(sealed);
  if (authkey === undefined) {
    authkey = null;
    try {
      const buf = Buffer.from(sealed, 'base64');
      const decipher = crypto().createDecipheriv('aes-256-gcm', s.kek, buf.subarray(0, IV_BYTES));
      decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const body = buf.subarray(IV_BYTES + TAG_BYTES);
      authkey = Buffer.concat([decipher.update(body), decipher.final()]).toString('hex');
    } catch {
      // another program's seal, or a forged one: not ours
    }
    s.opened.set(sealed, authkey);
  }
  return authkey;
}

/** `ref` as it travels: its key left out, or sealed when it is not this program's own. */
export function refToSend(ref: ProxyRef): SentRef {
  const s = currentSealer();
  const { authkey, lock, over, ...rest } = ref;
  return {
    ...rest,
    ...(authkey === s.own ? {} : { sealed: seal(s, authkey) }),
    ...(lock ? { lock: refToSend(lock) } : {}),
    ...(over ? { over: refToSend(over) } : {}),
  };
}

/** The reference a received `sent` stands for, with the key this thread uses for it (see above). */
export function refReceived(sent: SentRef): ProxyRef {
  const s = currentSealer();
  const { sealed, lock, over, ...rest } = sent;
  const opened = typeof sealed === 'string' ? open(s, sealed) : null;
  if (opened !== null) learnKey(rest.address, opened);
  const authkey = opened ?? known.get(JSON.stringify(rest.address)) ?? s.own;
  return {
    ...rest,
    authkey,
    ...(lock ? { lock: refReceived(lock) } : {}),
    ...(over ? { over: refReceived(over) } : {}),
  };
}
