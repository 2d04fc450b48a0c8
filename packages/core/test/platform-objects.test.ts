// Platform objects (URL, Headers, AbortSignal, Blob, ...) keep their state in internal slots, which
// structured clone drops without a word on some Node versions and refuses on others. Each one
// arrives as itself or is refused at the send with a SerializationError naming its path, the same
// way on every Node version and in both contexts (bb10 F14).
import { SerializationError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/platform-tasks.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))('platform objects in the %s context', (context) => {
  it('a URL, URLSearchParams and DOMException arrive as themselves, as arguments and as results', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    expect(await pool.apply(t.describe, [new URL('https://example.org/x?y=1#z')])).toEqual({
      tag: 'URL',
      text: 'https://example.org/x?y=1#z',
    });
    expect(await pool.map(t.describe, [new URLSearchParams('a=1&a=2')])).toEqual([
      { tag: 'URLSearchParams', text: 'a=1&a=2' },
    ]);
    expect(await pool.apply(t.describe, [new DOMException('gone', 'AbortError')])).toEqual({
      tag: 'DOMException',
      text: 'AbortError: gone',
    });
    const back = await pool.apply(t.makeUrl, []);
    expect(back.url).toBeInstanceOf(URL);
    expect(back.url.searchParams.get('b')).toBe('1');
    expect(back.params).toBeInstanceOf(URLSearchParams);
    expect(back.params.get('r')).toBe('2');
  });

  it('Headers, AbortSignal, EventTarget, TextEncoder and Intl objects are refused naming the path, never {}', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const values = [
      new Headers({ a: '1' }),
      new AbortController().signal,
      new EventTarget(),
      new TextEncoder(),
      new Intl.NumberFormat('en'),
    ];
    for (const value of values) {
      const name = Object.prototype.toString.call(value).slice(8, -1);
      const err = await serializationFailure(pool.apply(t.describe, [value]));
      expect(err.path).toBe('args[0]');
      expect(err.message).toContain(name);
      expect(err.message).not.toMatch(/\w\.\.(\s|$)/); // no doubled period
    }
    expect((await serializationFailure(pool.map(t.echo, [1, { h: new Headers() }]))).path).toBe('items[1].h');
    expect((await serializationFailure(pool.apply(t.makeHeaders, []))).path).toBe('result');
    expect((await serializationFailure(pool.apply(t.makeSignal, []))).path).toBe('result');
    expect(await pool.apply(t.echo, [7])).toBe(7); // the worker lives on
  });

  it(`a Blob or File ${context === 'thread' ? 'arrives with its bytes, type and name' : 'is refused, saying to send its bytes'}`, {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const blob = new Blob(['hi'], { type: 'text/plain' });
    const file = new File(['yo'], 'a.txt', { type: 'text/plain' });
    if (context === 'thread') {
      expect(await pool.apply(t.describe, [blob])).toEqual({ tag: 'Blob', text: 'hi|text/plain|' });
      expect(await pool.apply(t.describe, [file])).toEqual({ tag: 'File', text: 'yo|text/plain|a.txt' });
    } else {
      for (const value of [blob, file]) {
        const err = await serializationFailure(pool.apply(t.describe, [value]));
        expect(err.path).toBe('args[0]');
        expect(err.message).toContain('arrayBuffer()');
      }
    }
  });
  // A thrown error's cause and own fields go through the value codec, as results do: before, a URL
  // cause arrived as {} on Node 20 and as its String() on Node 22+, a Headers as {} or
  // '[object Headers]', a Blob as {} from a process.
  it('an error whose cause is a platform object: rebuilt where the codec carries it, else a SerializationError naming it', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const thrown = (kind: string) =>
      pool.apply(t.throwWithCause, [kind]).then(
        () => expect.unreachable(),
        (e: any) => e,
      );
    const url = await thrown('url');
    expect(url.message).toBe('failed with a url cause');
    expect(url.cause).toBeInstanceOf(URL);
    expect(url.cause.href).toBe('https://example.org/p?q=1');
    expect(url.at).toBeInstanceOf(URL);
    const params = await thrown('params');
    expect(params.cause).toBeInstanceOf(URLSearchParams);
    expect(params.cause.get('b')).toBe('2');
    const nested = await thrown('nested');
    expect(nested.cause.at).toBeInstanceOf(URL);
    expect(nested.cause.list[0]).toBeInstanceOf(TypeError);
    expect(nested.cause.list[0].message).toBe('inner');
    const refused = context === 'thread' ? ['headers', 'fn'] : ['headers', 'blob', 'fn'];
    for (const kind of refused) {
      const err = await thrown(kind);
      expect(err.message).toBe(`failed with a ${kind} cause`); // the task's own error, kept
      expect(err.cause).toBeInstanceOf(SerializationError);
      expect(err.cause.path).toBe('error.cause');
      expect(err.at).toBeInstanceOf(SerializationError);
      expect(err.at.path).toBe('error.at');
    }
    expect((await thrown('headers')).cause.message).toContain('Headers');
    if (context === 'thread') {
      const blob = await thrown('blob');
      expect(blob.cause).toBeInstanceOf(Blob);
      expect(await blob.cause.text()).toBe('hi');
    }
    expect(await pool.apply(t.echo, [7])).toBe(7); // the worker lives on
  });
});
