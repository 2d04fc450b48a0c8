// lifecycle.ts: exit codes, names, join with a timeout, terminate.
import { currentProcess, defineTasks, isMain, Process, parentProcess } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  hello: () => console.log(`${currentProcess().name} says hello to ${parentProcess()?.name}`),
  fail: () => {
    throw new Error('boom'); // the stack goes to stderr, like Python's traceback
  },
  exitWith: (code: number) => process.exit(code),
  forever: () => new Promise(() => setInterval(() => {}, 1_000)), // runs until stopped
});

if (isMain()) {
  const ok = new Process({ target: tasks.hello, name: 'greeter' });
  const bad = new Process({ target: tasks.fail });
  const three = new Process({ target: tasks.exitWith, args: [3], context: 'process' });
  const stuck = new Process({ target: tasks.forever, context: 'process' });
  const all = [ok, bad, three, stuck];
  try {
    for (const p of all) p.start();
    await Promise.all([ok.join(), bad.join(), three.join()]);
    console.log('exit codes:', ok.exitCode, bad.exitCode, three.exitCode);

    await stuck.join(100); // gives up after 100 ms: still running
    console.log('still running:', stuck.isAlive(), stuck.exitCode);
    await stuck.terminate(); // SIGTERM; resolves once it has ended
    console.log('terminated:', stuck.exitCode);
  } finally {
    await Promise.all(all.map((p) => p.terminate()));
    for (const p of all) p.close(); // frees it; any later use throws ClosedError
  }
}

// Output:
// greeter says hello to MainProcess
// exit codes: 0 1 3
// still running: true null
// terminated: -15
