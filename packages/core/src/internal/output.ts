/**
 * Forwards a worker's stdout/stderr to the parent's stream one whole line at a time, so output from
 * concurrent workers never interleaves inside a line (Python's own output can: see the source
 * document's Ans6). A trailing partial line is written when the stream ends.
 */
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Pipes `source` into `target` line by line; resolves when `source` has ended. */
export function forwardLines(source: Readable, target: Writable): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  return new Promise((resolve) => {
    source.on('data', (chunk: Buffer | string) => {
      const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
      const cut = text.lastIndexOf('\n');
      if (cut === -1) {
        pending = text;
        return;
      }
      pending = text.slice(cut + 1);
      target.write(text.slice(0, cut + 1));
    });
    const finish = () => {
      const rest = pending + decoder.end();
      pending = '';
      if (rest) target.write(rest.endsWith('\n') ? rest : `${rest}\n`);
      resolve();
    };
    source.once('end', finish);
    source.once('close', finish);
    source.once('error', finish);
  });
}
