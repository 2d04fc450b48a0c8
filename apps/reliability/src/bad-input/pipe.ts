/** Bad input to `Pipe`/`Connection` and `wait()` of `@multiproc/ipc`. */
import { Pipe, wait } from '@multiproc/ipc';
import { circular, closeBoth, pipe, pipeWorks } from './helpers.js';
import { assert, type Case } from './types.js';

export const pipeCases: Case[] = [
  {
    api: "Pipe({ duplex: 'no' })",
    input: 'duplex not a boolean',
    expect: 'ValidationError',
    says: 'duplex',
    run: () => Pipe({ duplex: 'no' as never }),
  },
  {
    api: 'recvEnd.send(v)',
    input: 'sending on the receive-only end',
    expect: 'ProcessError',
    says: 'receive',
    setup: () => Pipe({ duplex: false }),
    run: ([r]) => r.send(1),
    next: async ([r, s]) => {
      s.send(2);
      assert((await r.recv()) === 2, 'one-way pipe works');
    },
    teardown: closeBoth,
  },
  {
    api: 'sendEnd.recv()',
    input: 'receiving on the send-only end',
    expect: 'ProcessError',
    says: 'send',
    async: true,
    setup: () => Pipe({ duplex: false }),
    run: ([, s]) => s.recv(),
    teardown: closeBoth,
  },
  {
    api: 'a.send(v) after a.close()',
    input: 'a closed connection',
    expect: 'ClosedError',
    setup: () => {
      const p = pipe();
      p[0].close();
      return p;
    },
    run: ([a]) => a.send(1),
    next: async ([, b]) => {
      try {
        await b.recv();
      } catch (e) {
        assert((e as Error).name === 'EOFError', 'the peer sees EOFError');
      }
    },
    teardown: closeBoth,
  },
  {
    api: 'a.send({ onDone() {} })',
    input: 'a function inside the value',
    expect: 'SerializationError',
    says: 'value.onDone',
    setup: pipe,
    run: ([a]) => a.send({ onDone() {} }),
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: 'a.send(circular)',
    input: 'a circular structure (valid)',
    expect: 'works',
    async: true,
    setup: pipe,
    run: async ([a, b]) => {
      a.send(circular());
      return b.recv();
    },
    check: (v) => assert(v.self === v, 'the cycle survived'),
    teardown: closeBoth,
  },
  {
    api: "a.sendBytes('abc')",
    input: 'a string, not bytes',
    expect: 'ValidationError',
    says: 'bytes',
    setup: pipe,
    run: ([a]) => a.sendBytes('abc' as never),
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: 'a.sendBytes(buf, 5, 100)',
    input: 'offset and size past the buffer',
    expect: 'ValidationError',
    says: 'do not fit',
    setup: pipe,
    run: ([a]) => a.sendBytes(new Uint8Array(8), 5, 100),
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: 'b.recvBytesInto(small)',
    input: 'a buffer too small',
    expect: 'BufferTooShortError',
    async: true,
    setup: pipe,
    run: ([a, b]) => {
      a.sendBytes(new Uint8Array(16));
      return b.recvBytesInto(new Uint8Array(4));
    },
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: "b.poll('1')",
    input: 'a timeout as a string',
    expect: 'ValidationError',
    says: 'Connection.poll()',
    async: true,
    setup: pipe,
    run: ([, b]) => b.poll('1' as never),
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: 'b.poll({ timeout: 5 })',
    input: 'the options form (valid)',
    expect: 'works',
    async: true,
    setup: pipe,
    run: ([, b]) => b.poll({ timeout: 5 }),
    check: (v) => assert(v === false, 'nothing to read'),
    teardown: closeBoth,
  },
  {
    api: 'a.send_bytes(buf)',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'sendBytes()',
    setup: pipe,
    run: ([a]) => a.send_bytes(new Uint8Array(1)),
    next: pipeWorks,
    teardown: closeBoth,
  },
  {
    api: 'wait([conn], -1)',
    input: 'a negative timeout (valid: as in Python, it does not wait)',
    expect: 'works',
    async: true,
    setup: pipe,
    run: ([, b]) => wait([b], -1),
    check: (ready) => assert(Array.isArray(ready) && ready.length === 0, 'nothing ready, no wait'),
    teardown: closeBoth,
  },
  {
    api: "wait('conn')",
    input: 'not a list of connections',
    expect: 'ValidationError',
    says: 'wait()',
    async: true,
    run: () => wait('conn' as never),
  },
];
