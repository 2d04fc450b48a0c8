// An unknown key in an options object of the public API, at the top or inside an option that is
// an object itself (`resourceLimits`), fails with a ValidationError that names the key with its
// path, lists the keys that object takes, and gives the right spelling of a slip. A key inside
// `resourceLimits` got zod's bare "Unrecognized key" before, without the keys it takes.
import * as mp from '@multiproc/multiproc';
import { afterAll, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';

const pool = new mp.Pool({ processes: 1 });
afterAll(() => pool.terminate());

const LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'];
const POOL = ['processes', 'context', 'initializer', 'initargs', 'maxTasksPerChild', 'resourceLimits'];

/** [what, the call given its options, the options, the key as the message names it, keys it takes, the right spelling]. */
type Case = [string, (o: never) => unknown, object, string, string[], string | undefined];
const cases: Case[] = [
  ['new Pool()', (o) => new mp.Pool(o), { procesess: 2 }, 'procesess', POOL, 'processes'],
  [
    'new Pool(), resourceLimits',
    (o) => new mp.Pool(o),
    { resourceLimits: { codeRangeSizeMb: 16 } },
    'resourceLimits.codeRangeSizeMb',
    LIMITS,
    undefined,
  ],
  [
    'new Pool(), a slip in resourceLimits',
    (o) => new mp.Pool(o),
    { resourceLimits: { stackSizeMB: 8 } },
    'resourceLimits.stackSizeMB',
    LIMITS,
    'resourceLimits.stackSizeMb',
  ],
  [
    "getContext('process').Pool(), resourceLimits",
    (o) => new (mp.getContext('process').Pool as typeof mp.Pool)(o),
    { resourceLimits: { maxOldGenSizeMb: 64 } },
    'resourceLimits.maxOldGenSizeMb',
    LIMITS,
    undefined,
  ],
  [
    'new Process()',
    (o) => new mp.Process(o),
    { target: tasks.square, tagret: 1 },
    'tagret',
    ['target', 'args', 'name', 'daemon', 'context'],
    'target',
  ],
  [
    'pool.apply()',
    (o) => pool.apply(tasks.square, [3], o),
    { timout: 5 },
    'timout',
    ['signal', 'timeout'],
    'timeout',
  ],
  [
    'pool.map()',
    (o) => pool.map(tasks.square, [3], o),
    { chunkSize: 5 },
    'chunkSize',
    ['chunksize'],
    'chunksize',
  ],
  ['new Queue()', (o) => new mp.Queue(o), { maxSize: 1 }, 'maxSize', ['maxsize', 'schema'], 'maxsize'],
  [
    'new JoinableQueue()',
    (o) => new mp.JoinableQueue(o),
    { maxsze: 1 },
    'maxsze',
    ['maxsize', 'schema'],
    'maxsize',
  ],
  ['new SimpleQueue()', (o) => new mp.SimpleQueue(o), { schemaa: 1 }, 'schemaa', ['schema'], 'schema'],
  ['Pipe()', (o) => mp.Pipe(o), { duplx: false }, 'duplx', ['duplex', 'schema'], 'duplex'],
  [
    'new Listener()',
    (o) => new mp.Listener(undefined, o),
    { backlg: 1 },
    'backlg',
    ['authkey', 'backlog'],
    'backlog',
  ],
  ['Client()', (o) => mp.Client('/nowhere.sock', o), { authKey: 'k' }, 'authKey', ['authkey'], 'authkey'],
  ['Manager()', (o) => mp.Manager(o), { adress: 'x' }, 'adress', ['address', 'authkey'], 'address'],
  [
    'new SyncManager()',
    (o) => new mp.SyncManager(o),
    { authKey: 'x' },
    'authKey',
    ['address', 'authkey'],
    'authkey',
  ],
  ['new Barrier()', (o) => new mp.Barrier(2, o), { acton: 1 }, 'acton', ['action', 'timeout'], 'action'],
];

describe('an unknown option key', () => {
  it.each(cases)(
    '%s: names it, lists the keys taken and the right spelling',
    async (_, call, options, key, known, right) => {
      let error: unknown;
      try {
        await call(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(mp.ValidationError);
      const message = (error as Error).message;
      expect(message).toContain(`'${key}'`);
      for (const name of known) expect(message).toContain(name);
      if (right) expect(message).toContain(`spelt ${right}`);
      expect(message).not.toMatch(/Unrecognized key/);
    },
  );
});
