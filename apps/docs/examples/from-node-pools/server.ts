// server.ts: an HTTP server that sheds load past maxQueue, and drains its pool on SIGTERM.
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMain, Pool, QueueFullError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  // Two calls run, two wait; piscina's maxQueue would reject the fifth run() the same way.
  const pool = new Pool({ processes: 2, maxQueue: 2 });
  let received = 0;
  const server = createServer(async (req, res) => {
    // Once all six are in, stop as a process manager would, with SIGTERM.
    if (++received === 6) setImmediate(() => process.kill(process.pid, 'SIGTERM'));
    try {
      // applyAsync() throws QueueFullError at once when the queue is full; apply() would wait.
      const ms = await pool.applyAsync(tasks.sleep, [Number(req.url?.slice(1))]);
      res.end(`slept ${ms}`);
    } catch (err) {
      res.statusCode = err instanceof QueueFullError ? 503 : 500;
      res.end((err as Error).name);
    }
  });
  server.listen(0);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  process.once('SIGTERM', async () => {
    const { busy, queued } = pool.stats();
    console.log(`SIGTERM: ${busy + queued} calls to finish`);
    server.close(); // no new connections
    pool.close(); // no new calls; the ones made still run
    await pool.join();
    console.log('pool joined');
  });

  // Six requests at once (agent: false closes each connection after its response).
  const request = (path: string) =>
    new Promise<string>((resolve) => {
      get({ port, path, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      }).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
  const statuses = await Promise.all(Array.from({ length: 6 }, () => request('/1000')));
  console.log('statuses:', statuses.sort().join(' '));
  console.log('after SIGTERM:', await request('/1'));
}

// Output (any order):
// SIGTERM: 4 calls to finish
// statuses: 200 200 200 200 503 503
// pool joined
// after SIGTERM: ECONNREFUSED
