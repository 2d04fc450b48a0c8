// Task module of `imap-worker-alloc.mjs` (by hand, issue 18): squares numbers and, every
// SAMPLE_EVERY items, notes the worker's heap use, so that the worker's allocation per item of
// an `imap` run can be read without a garbage collection in between.
import { getHeapSpaceStatistics } from 'node:v8';
import { defineTasks } from '@multiproc/multiproc';

const SAMPLE_EVERY = 65_536;
const samples = [];
let count = 0;

function newSpace() {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
}

export const tasks = defineTasks(import.meta.url, {
  probe: (x) => {
    if (++count % SAMPLE_EVERY === 0) samples.push(newSpace().space_used_size);
    return x * x;
  },
  report: () => {
    const space = newSpace();
    const out = { count, samples: samples.splice(0), size: space.space_size, used: space.space_used_size };
    count = 0;
    return out;
  },
});

// Sampling heap profile of this worker, kept objects and collected ones alike.
import { Session } from 'node:inspector';

let session;
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));

export const prof = defineTasks(import.meta.url, {
  startProf: async () => {
    session = new Session();
    session.connect();
    await post('HeapProfiler.startSampling', {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return true;
  },
  stopProf: async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    session.disconnect();
    const bySite = new Map();
    const walk = (node, stack) => {
      const frame = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
      const here = [...stack, frame];
      if (node.selfSize > 0) {
        const key = here.slice(-4).join(' < ');
        bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
      }
      for (const c of node.children) walk(c, here);
    };
    walk(profile.head, []);
    return [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40);
  },
});
