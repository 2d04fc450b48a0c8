/**
 * Python's positional forms and missing values: `Pipe(False)` is a one-way pipe, and `send()` or
 * `put()` without a value is refused (Python raises `TypeError`) instead of sending `undefined`.
 */
import { JoinableQueue, Pipe, Queue, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: calls with a wrong number of arguments on purpose
type Any = (...args: any[]) => any;

describe('Pipe(duplex)', () => {
  it('Pipe(false) gives [receiveEnd, sendEnd], Pipe(true) a duplex pair', { timeout: 10_000 }, async () => {
    const [r, w] = Pipe<string>(false);
    expect([r.readable, r.writable, w.readable, w.writable]).toEqual([true, false, false, true]);
    w.send('one way');
    expect(await r.recv()).toBe('one way');
    const [a, b] = Pipe<number>(true);
    a.send(1);
    b.send(2);
    expect([await b.recv(), await a.recv()]).toEqual([1, 2]);
    for (const c of [r, w, a, b]) c.close();
  });

  it('refuses other non-objects, naming the forms it takes', () => {
    expect(() => (Pipe as Any)(0)).toThrow(ValidationError);
    expect(() => (Pipe as Any)('false')).toThrow(ValidationError);
  });
});

describe('a value is required', () => {
  it('send() without a value throws; send(undefined) sends undefined', { timeout: 10_000 }, async () => {
    const [a, b] = Pipe();
    expect(() => (a.send as Any).call(a)).toThrow(
      /Connection\.send\(\) takes one value, but was given 0 arguments/,
    );
    a.send(undefined);
    a.send('next');
    expect(await b.recv()).toBeUndefined();
    expect(await b.recv()).toBe('next'); // nothing else was sent
    a.close();
    b.close();
  });

  it('put() and putNowait() without a value are refused and put nothing, on every queue kind', {
    timeout: 10_000,
  }, async () => {
    for (const q of [new Queue(), new JoinableQueue()]) {
      await expect((q.put as Any).call(q)).rejects.toThrow(
        /put\(\) takes a value .*given 0 arguments: pass the value/,
      );
      expect(() => (q.putNowait as Any).call(q)).toThrow(ValidationError);
      expect(q.qsize()).toBe(0);
      await q.put(undefined);
      expect(await q.get()).toBeUndefined();
      q.close();
    }
    const sq = new SimpleQueue();
    await expect((sq.put as Any).call(sq)).rejects.toThrow(ValidationError);
    expect(sq.empty()).toBe(true);
    sq.close();
  });
});
