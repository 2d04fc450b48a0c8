/**
 * Suite `ipc` (issue 5): one-way small objects, round trips and 64 KiB byte messages, in thread and
 * process context, against a raw `MessagePort`, `process.send` and Python's `Pipe`/`Queue`. Every
 * peer runs the same protocol: a count n, n messages, then one 'done' answer ends the sample.
 */
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { mpTasks, multiproc, needs } from '../mp.js';
import { pythonUnavailable, runPython } from '../python.js';
import { oneWay, roundTrips, smallItem, startPortPeer, startSendPeer, startSocketPeer } from '../raw.js';
import type { BenchCase, Measurement, Unit } from '../types.js';
import { workQueueCases } from './workqueue.js';

const KIB64 = 64 * 1024;
type Ctx = 'thread' | 'process';
type Shape = 'small' | 'roundtrip' | 'bytes';

const TITLES: Record<Shape, string> = {
  small: 'small objects, one way',
  roundtrip: 'small object round trip',
  bytes: '64 KiB byte messages, one way',
};
const UNITS: Record<Shape, Unit> = { small: 'msgs/s', roundtrip: 'µs', bytes: 'B/s' };

function base(shape: Shape, ctx: Ctx, id: string, impl: string, kind: BenchCase['kind']) {
  return {
    id: `ipc/${shape}-${ctx}/${id}`,
    suite: 'ipc' as const,
    group: `ipc.${shape}-${ctx}`,
    title: `${TITLES[shape]} (${ctx} context)`,
    impl,
    kind,
    unit: UNITS[shape],
    better: shape === 'roundtrip' ? ('lower' as const) : ('higher' as const),
  };
}

/**
 * A multiproc Process running `target` on one end of a Pipe; the body gets the other end. Pipes
 * and queues are made the same way for both contexts, as users do: the transport is chosen when
 * the end is passed to the Process.
 */
async function withPipePeer(
  ctx: Ctx,
  target: string,
  body: (conn: any) => Promise<number[]>,
): Promise<Measurement> {
  const mp = await multiproc();
  const tasks = await mpTasks();
  const [a, b] = mp.Pipe();
  const p = new mp.Process({ target: tasks[target], args: [b], context: ctx });
  p.start();
  try {
    await a.recv(); // 'ready'
    const samples = await body(a);
    a.send(null);
    await p.join();
    return { samples };
  } finally {
    if (p.isAlive?.()) await p.terminate();
  }
}

function mpPipe(shape: Shape, ctx: Ctx): BenchCase {
  const names = ['Pipe', 'Process', 'defineTasks'];
  return {
    ...base(
      shape,
      ctx,
      'multiproc-pipe',
      `multiproc Pipe (${ctx})${shape === 'bytes' ? ' sendBytes' : ''}`,
      'multiproc',
    ),
    unavailable: needs(names),
    measure: ({ runs, warmup, sizes }) => {
      if (shape === 'roundtrip') {
        return withPipePeer(ctx, 'pipeEcho', (conn) =>
          sampleRuns({ runs, warmup }, async () => {
            const n = sizes.roundTrips;
            const t0 = nowMs();
            for (let i = 0; i < n; i++) {
              conn.send(smallItem(i));
              await conn.recv();
            }
            return ((nowMs() - t0) * 1000) / n;
          }),
        );
      }
      const bytes = shape === 'bytes';
      const buf = new Uint8Array(KIB64);
      return withPipePeer(ctx, bytes ? 'bytesSink' : 'pipeSink', (conn) =>
        sampleRuns({ runs, warmup }, async () => {
          const n = bytes ? sizes.bigMsgs : sizes.smallMsgs;
          const t0 = nowMs();
          conn.send(n);
          for (let i = 0; i < n; i++) bytes ? conn.sendBytes(buf) : conn.send(smallItem(i));
          await conn.recv();
          return perSecond(bytes ? n * KIB64 : n, nowMs() - t0);
        }),
      );
    },
  };
}

function mpQueue(ctx: Ctx): BenchCase {
  const names = ['Queue', 'Process', 'defineTasks'];
  return {
    ...base('small', ctx, 'multiproc-queue', `multiproc Queue (${ctx})`, 'multiproc'),
    unavailable: needs(names),
    measure: async ({ runs, warmup, sizes }) => {
      const mp = await multiproc();
      const tasks = await mpTasks();
      const q = new mp.Queue();
      const done = new mp.Queue();
      const p = new mp.Process({ target: tasks.queueSink, args: [q, done], context: ctx });
      p.start();
      try {
        await done.get(); // 'ready'
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const n = sizes.smallMsgs;
          const t0 = nowMs();
          await q.put(n);
          for (let i = 0; i < n; i++) await q.put(smallItem(i));
          await done.get();
          return perSecond(n, nowMs() - t0);
        });
        await q.put(null);
        await p.join();
        return { samples };
      } finally {
        if (p.isAlive?.()) await p.terminate();
      }
    },
  };
}

function rawPort(shape: Shape): BenchCase {
  return {
    ...base(
      shape,
      'thread',
      'messageport',
      `raw MessagePort${shape === 'bytes' ? ' (copied)' : ''}`,
      'baseline',
    ),
    measure: async ({ runs, warmup, sizes }) => {
      const peer = await startPortPeer(shape === 'roundtrip' ? 'echo' : 'sink');
      try {
        const buf = new Uint8Array(KIB64);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          if (shape === 'roundtrip')
            return ((await roundTrips(peer, sizes.roundTrips)) * 1000) / sizes.roundTrips;
          if (shape === 'small')
            return perSecond(sizes.smallMsgs, await oneWay(peer, sizes.smallMsgs, smallItem));
          return perSecond(sizes.bigMsgs * KIB64, await oneWay(peer, sizes.bigMsgs, () => buf));
        });
        return { samples };
      } finally {
        await peer.close();
      }
    },
  };
}

const rawSend: BenchCase = {
  ...base('small', 'process', 'process-send', 'raw process.send (fork)', 'baseline'),
  measure: async ({ runs, warmup, sizes }) => {
    const peer = await startSendPeer();
    try {
      const n = sizes.smallMsgs;
      return {
        samples: await sampleRuns({ runs, warmup }, async () =>
          perSecond(n, await oneWay(peer, n, smallItem)),
        ),
      };
    } finally {
      await peer.close();
    }
  },
};

/** The ceiling of plain Node for 64 KiB messages between processes: a bare Unix socket. */
const rawSocketBytes: BenchCase = {
  ...base('bytes', 'process', 'unix-socket', 'raw Unix socket (net, length-prefixed)', 'baseline'),
  measure: async ({ runs, warmup, sizes }) => {
    const peer = await startSocketPeer();
    try {
      const buf = new Uint8Array(KIB64);
      const n = sizes.bigMsgs;
      return {
        samples: await sampleRuns({ runs, warmup }, async () =>
          perSecond(n * KIB64, await peer.sendBytes(n, buf)),
        ),
      };
    } finally {
      await peer.close();
    }
  },
};

function python(which: 'pipe' | 'queue' | 'bytes'): BenchCase {
  const shape: Shape = which === 'bytes' ? 'bytes' : 'small';
  const impl = { pipe: 'python Pipe', queue: 'python Queue', bytes: 'python Pipe send_bytes' }[which];
  return {
    ...base(shape, 'process', `python-${which}`, impl, 'python'),
    unavailable: pythonUnavailable,
    measure: ({ runs, warmup, sizes }) =>
      runPython('ipc.py', which, { n: which === 'bytes' ? sizes.bigMsgs : sizes.smallMsgs, runs, warmup }),
  };
}

/** The `ipc` suite. */
export function ipcCases(): BenchCase[] {
  return [
    mpPipe('small', 'thread'),
    mpQueue('thread'),
    rawPort('small'),
    mpPipe('roundtrip', 'thread'),
    rawPort('roundtrip'),
    mpPipe('roundtrip', 'process'),
    mpPipe('small', 'process'),
    mpQueue('process'),
    rawSend,
    python('pipe'),
    python('queue'),
    mpPipe('bytes', 'thread'),
    rawPort('bytes'),
    mpPipe('bytes', 'process'),
    rawSocketBytes,
    python('bytes'),
    ...workQueueCases(),
  ];
}
