// A peer that dies after part of a handshake message fails the call that ran the handshake with
// EOFError, and nothing else: before, putting the half message back on the ended socket made Node
// emit an 'error' nobody listened to, which ended the program (the Listener's, for a client that
// died mid-answer; the Client's, for a listener that died mid-challenge). Found by listener-chaos-59.
import { execFile } from 'node:child_process';
import { expect, it } from 'vitest';

const program = new URL('./fixtures/handshake-died-program.mjs', import.meta.url).pathname;

it('accept() and Client() reject with EOFError; the program lives on and accepts the next client', {
  timeout: 30_000,
}, async () => {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: unknown }>(
    (resolve) =>
      execFile(process.execPath, [program], { timeout: 20_000 }, (err, out, errOut) =>
        resolve({ stdout: out, stderr: errOut, code: err ? (err.code ?? err.signal) : 0 }),
      ),
  );
  expect(stderr).toBe('');
  expect(stdout.trim().split('\n')).toEqual(['accept: EOFError', 'next: hello', 'client: EOFError', 'alive']);
  expect(code).toBe(0);
});
