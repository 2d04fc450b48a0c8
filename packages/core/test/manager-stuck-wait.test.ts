// Manager-backed waits follow the contract's rule as the thread primitives do (stuck-wait.test.ts):
// a wait keeps the program alive while a live party could still end it (a child process, a daemon
// child, a busy pool worker, another program connected), and rejects (an idle worker of this
// program's pools runs nothing until this program sends a task, so it is no such party) with the thread primitive's error
// class once nothing can, including when the last other client ends while it waits. Each program runs bounded by
// runProgram's timeout: a hang there fails as a killed program (code null), never the suite.
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.ts';

describe('manager-backed waits that nothing can end', () => {
  it('reject with LockError, BrokenBarrierError or EOFError and the program ends by itself', async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'lock LockError MP_LOCK',
      'rlock LockError MP_LOCK',
      'semaphore LockError MP_LOCK',
      'event LockError MP_LOCK',
      'condition LockError MP_LOCK',
      'condition held resolved undefined',
      'barrier BrokenBarrierError MP_BROKEN_BARRIER true',
      'queue get EOFError MP_EOF',
      'queue put EOFError MP_EOF',
      'queue join EOFError MP_EOF',
      'manager event LockError MP_LOCK',
      'timeout still resolved false',
      '',
    ]);
  });

  it('wait for a live child process, daemon child or pool worker that ends them 500 ms later', async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs', ['child']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      'lock resolved true\ndaemon queue resolved late item\npool queue resolved late item\n',
    );
  });

  it("reject although this program's idle pool workers (thread and process) are connected to the manager", async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs', ['idle-pool']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'thread touched undefined',
      'thread lock LockError MP_LOCK',
      'thread queue resolved late item EOFError MP_EOF',
      'thread still touched',
      'process touched undefined',
      'process lock LockError MP_LOCK',
      'process queue resolved late item EOFError MP_EOF',
      'process still touched',
      '',
    ]);
  });

  it('wait for another program connected to the manager that ends them 500 ms later', async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs', ['remote']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe('remote event resolved true\n');
  });

  it('wait for the call that ends them when this thread sends it later, from a timer or another async function', async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs', ['timer']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'condition resolved true',
      'lock resolved true',
      'queue resolved 1',
      'barrier resolved 0',
      'turns resolved 1',
      '',
    ]);
  });

  it('reject once the only other client ends while they wait', async () => {
    const { stdout, stderr, code } = await runProgram('manager-stuck-wait.mjs', ['child-ends']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe('event LockError MP_LOCK\nexitCode 0\n');
  });
});
