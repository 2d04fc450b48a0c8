// Issue 13 experiment (by hand): what encoding the bench's small object costs a thread Queue's
// producer at least, in one thread, CPU ns per item (process.cpuUsage; 256-item batches, as a port
// link stringifies one run per batch). Rows: the private copy made at put, field by field (for-in)
// and by spread; one JSON.stringify per batch of copies; JSON.stringify per item; a JSON text built
// by hand per item (cached key texts) and joined per batch; the batch text posted on a MessagePort.
// Usage: node experiments/encode-floor.mjs [items] [rounds]
import { MessageChannel } from 'node:worker_threads';

const n = Number(process.argv[2] ?? 2_000_000);
const rounds = Number(process.argv[3] ?? 3);
const B = 256;
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const forIn = (v) => {
  if (typeof v !== 'object' || v === null) return v;
  const out = {};
  for (const k in v) out[k] = forIn(v[k]);
  return out;
};
const spread = (v) => {
  if (typeof v !== 'object' || v === null) return v;
  const out = { ...v };
  for (const k in out) if (typeof out[k] === 'object') out[k] = spread(out[k]);
  return out;
};
const keys = new Map();
const keyText = (k) => keys.get(k) ?? keys.set(k, `${JSON.stringify(k)}:`).get(k);
const text = (v) => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object' || v === null) return String(v);
  let out = '{';
  let sep = '';
  for (const k in v) {
    out += sep + keyText(k) + text(v[k]);
    sep = ',';
  }
  return `${out}}`;
};
const { port1, port2 } = new MessageChannel();
port2.on('message', () => {});
port2.unref();
const batched = (each, end) => () => {
  let run = [];
  for (let i = 0; i < n; i++) {
    run.push(each(item(i)));
    if (run.length === B) {
      end(run);
      run = [];
    }
  }
};
const rows = {
  'make the object only': batched(
    (v) => v,
    () => {},
  ),
  'copy, for-in': batched(forIn, () => {}),
  'copy, spread': batched(spread, () => {}),
  'copy for-in + stringify batch': batched(forIn, (r) => JSON.stringify(r)),
  'copy spread + stringify batch': batched(spread, (r) => JSON.stringify(r)),
  'copy spread + stringify + post': batched(spread, (r) => port1.postMessage(JSON.stringify(r))),
  'stringify each item': batched(
    (v) => JSON.stringify(v),
    (r) => `[${r.join(',')}]`,
  ),
  'hand-built text each, joined': batched(text, (r) => `[${r.join(',')}]`),
};
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of Object.entries(rows)) {
    const c0 = cpu();
    f();
    console.log(`${name.padEnd(32)} ${(((cpu() - c0) / n) * 1000).toFixed(0)} ns/item`);
  }
  console.log('');
}
port1.close();
