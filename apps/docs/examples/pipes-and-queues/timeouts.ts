// timeouts.ts: non-blocking and bounded waits on a Queue; SimpleQueue; wait() on several.
import {
  isMain,
  Pipe,
  Queue,
  QueueEmptyError,
  QueueFullError,
  SimpleQueue,
  wait,
} from '@multiproc/multiproc';

if (isMain()) {
  const q = new Queue<string>({ maxsize: 1 });
  q.putNowait('only room for one');
  try {
    q.putNowait('one too many'); // Python: put_nowait -> queue.Full
  } catch (err) {
    console.log(err instanceof QueueFullError, (err as QueueFullError).code);
  }
  console.log(q.qsize(), q.full(), q.getNowait());
  try {
    await q.get({ timeout: 20 }); // Python: get(timeout=0.02) -> queue.Empty
  } catch (err) {
    console.log(err instanceof QueueEmptyError, (err as QueueEmptyError).code);
  }

  const sq = new SimpleQueue<number>(); // put, get, empty, close: nothing else
  await sq.put(1);
  console.log(sq.empty(), await sq.get());

  const [a, b] = Pipe<string>();
  const [c, d] = Pipe<string>();
  c.send('on the second pipe');
  const ready = await wait([b, d], 1_000); // Python: multiprocessing.connection.wait
  console.log(ready.length, ready[0] === d, await d.recv());
  for (const end of [a, b, c, d]) end.close();
  q.close();
  sq.close();
}

// Output:
// true MP_QUEUE_FULL
// 1 true only room for one
// true MP_QUEUE_EMPTY
// false 1
// 1 true on the second pipe
