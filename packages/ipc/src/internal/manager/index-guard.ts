/**
 * Python's index and attribute forms on a manager proxy (`d['k'] = 1`, `l[0]`, `ns.x = 1`,
 * `a[0] = 5`): the served object lives in the manager, so such a form cannot reach it synchronously.
 * Without a guard JavaScript would make a local property (a write lost without a word) or read
 * `undefined`. A `Proxy` placed under the proxies' class chain sees only what that chain does not
 * define: the methods are found before it, so calling them costs nothing more, while a write of any
 * other name, and a read of an item (an index, a dict key, a Namespace name), throws a
 * `ContextError` naming the awaited method to call.
 */
import { ContextError } from '@multiproc/shared';
import { proxyRef } from './server.js';
import type { ProxyRef } from './wire.js';

const INDEX = /^-?\d+$/;
// Names other code reads on any object to learn what it is (a thenable, JSON, a test matcher, a DOM
// node, a printer's plugins): they keep reading `undefined`.
const PROBES = new Set(['then', 'toJSON', 'asymmetricMatch', 'nodeType', 'nodeName', 'tagName', 'size']);
const probe = (name: string): boolean =>
  PROBES.has(name) || name.startsWith('_') || name.startsWith('$') || name.startsWith('@@');

const quote = (name: string): string => (INDEX.test(name) ? name : `'${name}'`);

// What to call instead, per typeid: [the read, the write] for the key `k` (already quoted).
const FORMS: Record<string, (k: string) => [string, string]> = {
  dict: (k) => [`await d.get(${k})`, `await d.set(${k}, value)`],
  list: (k) => [`await l.get(${k})`, `await l.set(${k}, value)`],
  Array: (k) => [`await a.get(${k})`, `await a.set(${k}, value)`],
  Namespace: (k) => [`await ns.get(${k})`, `await ns.set(${k}, value)`],
};
// Which names a read refuses: any name of a dict or Namespace (they are its keys), an index of a list or Array.
const READS: Record<string, (name: string) => boolean> = {
  dict: (name) => !probe(name),
  Namespace: (name) => !probe(name),
  list: (name) => INDEX.test(name) || name === 'length',
  Array: (name) => INDEX.test(name),
};

function refused(ref: ProxyRef, name: string, write: boolean): ContextError {
  const what = `A manager's ${ref.typeid} (also getContext('process')'s) lives in another process`;
  const form = ref.auto ? undefined : FORMS[ref.typeid];
  if (form === undefined) {
    return new ContextError(
      `${what}: setting \`.${name}\` on its proxy would change nothing there. Call its methods ` +
        "(`await p.method(...)`); a proxy's own fields cannot be set.",
    );
  }
  if (ref.typeid === 'list' && name === 'length')
    return new ContextError(`${what}: read its length with \`await l.len()\`; \`.length\` is not kept here.`);
  // `d.length` reads as a count in JavaScript more often than as a key (Python's len(d)).
  if (ref.typeid === 'dict' && name === 'length' && !write) {
    return new ContextError(
      `${what}: \`.length\` is not kept here; read how many keys it holds with \`await d.len()\` ` +
        "(Python's len(d)), or a key named 'length' with `await d.get('length')`.",
    );
  }
  const [read, set] = form(quote(name));
  const shown = INDEX.test(name) || ref.typeid === 'dict' ? `[${quote(name)}]` : `.${name}`;
  return new ContextError(
    `${what}: \`${shown}\` cannot ${write ? 'write' : 'read'} it here (Python's form; it would ` +
      `${write ? 'be lost' : 'give undefined'}). Use \`${write ? set : read}\`.`,
  );
}

/** The typeid of `receiver` when it is a manager proxy (its reference), else undefined. */
function refOf(receiver: unknown): ProxyRef | undefined {
  try {
    return (receiver as { [proxyRef]?: ProxyRef })[proxyRef];
  } catch {
    return undefined;
  }
}

/** Puts the guard under `proto` (BaseProxy.prototype), between it and `Object.prototype`. */
export function guardIndexForms(proto: object): void {
  const base = Object.getPrototypeOf(proto) as object;
  const guard = new Proxy(Object.create(base) as object, {
    get(target, name, receiver) {
      if (typeof name === 'symbol' || name in target) return Reflect.get(target, name, receiver);
      const ref = refOf(receiver);
      const reads = ref && !ref.auto ? READS[ref.typeid] : undefined;
      if (ref && reads?.(name)) throw refused(ref, name, false);
      return undefined;
    },
    set(target, name, value, receiver) {
      const ref = typeof name === 'string' ? refOf(receiver) : undefined;
      if (ref && typeof name === 'string') throw refused(ref, name, true);
      if (receiver !== null && typeof receiver === 'object' && receiver !== guard) {
        return Reflect.defineProperty(receiver, name, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      return Reflect.set(target, name, value, receiver);
    },
  });
  Object.setPrototypeOf(proto, guard);
}
