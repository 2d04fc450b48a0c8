// CPython's Lib/test/test_multiprocessing_main_handling.py, which no earlier port names, and the
// Pool cases of Lib/test/test_concurrent_futures and Lib/test/_test_multiprocessing.py that the
// earlier ports (cpython-port-29, -39-*, -43, -45, -51, -52, -53, -54, -56) leave out, ported to
// this API (camelCase, Promises, milliseconds), in both contexts (Python's start methods):
//
// - MultiProcessingCmdLineMixin (test_multiprocessing_main_handling): a program that maps a
//   function of its main module on a Pool of 5, run as a script, without a suffix, as TypeScript
//   (Python: compiled), as a folder, as a module of a package and as a package that a launcher
//   imports (Python: runpy), with its main module's code unguarded where Python skips the main
//   module in children (test_ipython_workaround, the __main__.py forms), and, past Python's, from
//   folders whose names a URL must escape, through a symbolic link, and from -e (Python: -c).
// - test_concurrent_futures/test_init.py: InitializerMixin.test_initializer and
//   FailingInitializerMixin.test_initializer (Python's executor breaks; here every call fails
//   with the initializer's error and the starts stay bounded), FailingInitializerResourcesTest
//   (nothing left behind); executor.py: ExecutorTest.test_map (two iterables: starmap) and
//   test_map_exception; test_thread_pool.py: test_map_submits_without_iteration (an imap nobody
//   iterates) and test_executor_map_current_future_cancel (a lazy map's timeout), both contexts.
// - _TestPoolWorkerLifetime.test_pool_worker_lifetime as Python writes it (the pool's worker pids
//   before and after, none missing, all replaced, the pool refilled to 3), and
//   TestPoolNotLeakOnFailure (worker starts that fail, after some or from the first, leave no
//   process behind). executor.py's test_max_workers_negative is _TestPool.test_make_pool (29).
// They passed without a library change. No deliberate difference beyond those each case names.
//
// Every test method of Lib/test/_test_multiprocessing.py (CPython main), and where it is ported
// (a file cpython-port-NN.test.ts, by NN) or why not:
// _TestProcess: test_current 39-process 45; test_args_argument, test_parent_process,
//   test_process_mainthread_native_id 39-process; test_daemon_argument,
//   test_parent_process_attributes 39-process 45; test_process 29 54; test_interrupt,
//   test_interrupt_no_handler 29 39-process; test_terminate 29 45; test_kill 29 45; test_cpu_count
//   39-process; test_active_children, test_recursion, test_wait_for_threads 29; test_sentinel 29
//   45; test_close 29 39-process 45; test_many_processes 29 53; test_error_on_stdio_flush_1 43;
//   test_error_on_stdio_flush_2 39-process. Not ported: test_set_executable (no executable to
//   set), test_lose_target_ref (weak references), test_child_fd_inflation (a child's descriptors
//   are Node's), test_forkserver_* (no forkserver).
// _TestSubclassingProcess: test_subclassing 39-process; test_sys_exit 29 39-process 45 53;
//   test_stderr_flush not ported (a child reopening its own stderr; see 53).
// _TestQueue: test_put, test_get, test_fork, test_qsize, test_task_done, test_timeout,
//   test_queue_feeder_donot_stop_onexc, test_closed_queue_put_get_exceptions 29 (and 45 52 53);
//   test_no_import_lock_contention, test_closed_queue_empty_exceptions 43;
//   test_queue_feeder_on_queue_feeder_error 51. Not ported: test_shutdown_* (Queue.shutdown() is
//   not in the contract).
// _TestLock: test_lock, test_rlock, test_lock_context 29; test_rlock_context 43; test_repr_lock,
//   test_repr_rlock 52; test_lock_locked_2processes, test_rlock_locked_2processes 29.
// _TestSemaphore: test_semaphore, test_bounded_semaphore, test_timeout 29 52 54.
// _TestCondition: test_notify, test_notify_all, test_notify_n, test_timeout, test_waitfor,
//   test_waitfor_timeout, test_wait_result 29 (and 45 52 53 54).
// _TestEvent: test_event 29 45 53; test_repr 45 52.
// _TestBarrier: test_barrier, test_action, test_abort, test_reset, test_abort_and_reset,
//   test_timeout, test_default_timeout, test_single_thread, test_thousand 29; test_barrier_10,
//   test_wait_return 43 53.
// _TestValue / _TestArray: test_value, test_rawvalue, test_getobj_getlock, test_invalid_typecode,
//   test_array, test_array_from_size, test_rawarray 29 52; test_getobj_getlock_obj 43.
// _TestContainers: every method 29 (test_list, test_dict also 56).
// _TestPool: every method 29 (and 45 51 52 53), test_release_task_refs 52, test_resource_warning
//   51 (JavaScript has no ResourceWarning: pool-dropped.test.ts in core).
// _TestPoolWorkerErrors: both methods 29 53.
// _TestPoolWorkerLifetime: all four 29 43 45 53; test_pool_worker_lifetime as Python checks it:
//   here.
// _TestMyManager 39-managers 43; _TestRemoteManager, _TestManagerRestart, TestManagerExceptions,
//   TestInitializers 39-managers (test_dispatch 51).
// _TestConnection: test_connection, test_duplex_false, test_spawn_close, test_sendbytes,
//   test_context 29 (and 39-connection 45 52 53). Not ported: test_fd_transfer,
//   test_large_fd_transfer, test_missing_fd_transfer (no descriptor passing).
// _TestListener, _TestListenerClient, _TestPoll: every method 29 39-connection;
//   _TestPicklingConnections 52 54.
// _TestSharedCTypes 43 52 (test_copy: no sharedctypes.copy). TestWait 29 54 (test_wait_socket*:
//   wait() takes no sockets). TestInvalidFamily, TestFlags, _TestPollEintr, TestStartMethod 43 51;
//   TestNoForkBomb 51 54; TestForkAwareThreadLock 39-process; TestCloseFds, TestNamedResource 56;
//   TestIgnoreEINTR, TestTimeouts, OtherTest 39-connection; TestStdinBadfiledescriptor 43 56;
//   TestSimpleQueue 29 39-connection 45 54; TestSyncManagerTypes 29 56 (test_set*: no manager
//   set(); test_pool: no manager Pool); _TestAtExit 39-process 51; MiscTestCase.test__all__ 52,
//   test_large_pool 39-managers; TestPoolNotLeakOnFailure here.
// Not ported, nothing in this API to port them to: _TestHeap (no heap: a SharedArrayBuffer is the
//   allocation), _TestSharedMemory and ShareableList (no name-addressed shared memory: a
//   SharedArrayBuffer cannot cross a process), _TestFinalize (no util.Finalize; process.on('exit')
//   is the hook, 39-process 51), _TestImportStar (test/exports.test.ts checks each entry's names),
//   _TestLogging (no logger), TestInvalidHandle (no Connection from a descriptor),
//   ChallengeResponseTest (the handshake's helpers are private; 39-connection runs the handshake),
//   TestResourceTracker and SemLockTests (no named semaphores, no tracker), _TestSpawnedSysPath
//   and MiscTestCase.test_spawn_sys_executable_none_allows_import (no sys.path, no executable),
//   TestInternalDecorators (the suite's own helper).
// Of test_multiprocessing_main_handling, not ported: test_zipfile, test_zipfile_compiled,
// test_module_in_package_in_zipfile and test_module_in_subpackage_in_zipfile (Node runs no
// program from a zip archive).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getContext, Pool, PoolClosedError, TimeoutError } from '@multiproc/multiproc';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXTS, poolsEndedAfterEach, range } from './cpython-kit.ts';
import { tasks } from './fixtures/cpython-port-58-tasks.mjs';
import { runProgram, scratchFiles } from './report-helpers.ts';

const pool = poolsEndedAfterEach();
const scratch = scratchFiles('cpython-port-58');

/** This package's folder: a program's node_modules links to it, and `--import tsx` resolves from it. */
const PACKAGE = join(import.meta.dirname, '..');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh folder (a subfolder named `name` of a temporary one) holding `files` (relative path to
 * text) and a node_modules where `@multiproc/multiproc` is this package, as a user's project has
 * it. Returns the folder.
 */
function project(files: Record<string, string>, name = 'project'): string {
  const top = mkdtempSync(join(tmpdir(), 'mp-main-'));
  dirs.push(top);
  const dir = join(top, name);
  mkdirSync(join(dir, 'node_modules', '@multiproc'), { recursive: true });
  symlinkSync(PACKAGE, join(dir, 'node_modules', '@multiproc', 'multiproc'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Python's `assert_python_ok(*args)`: runs `node ...args` from this package; killed after 60 s. */
function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: PACKAGE, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err?.killed) reject(new Error(`the program did not end: ${stdout} ${stderr}`));
      else resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Python's test_source, as an ES module: the main module's own function is the task, and the
// code under the isMain() guard (Python: if __name__ == '__main__') maps it. Python does not close
// its pool: the program must end by itself once it printed (an idle pool keeps nothing alive).
// Python polls for the callback with a 5 s deadline; a loaded machine gets 30 s here.
const MAIN_BODY = `
if (isMain()) {
  const startMethod = process.argv[2];
  setStartMethod(startMethod);
  const p = new Pool({ processes: 5 });
  const results = [];
  p.mapAsync(tasks.f, [1, 2, 3], { callback: (r) => results.push(...r) });
  const deadline = Date.now() + 30_000;
  while (results.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (Date.now() > deadline) throw new Error('Timed out waiting for results');
  }
  results.sort((a, b) => a - b);
  console.log(startMethod, '->', \`[\${results.join(', ')}]\`);
}
`;
const TEST_SOURCE = `import { defineTasks, isMain, Pool, setStartMethod } from '@multiproc/multiproc';
export const tasks = defineTasks(import.meta.url, { f: (x) => x * x });
${MAIN_BODY}`;

/** The same in TypeScript (Python's test_script_compiled runs it in another form). */
const TEST_SOURCE_TS = `import { defineTasks, isMain, Pool, setStartMethod } from '@multiproc/multiproc';
export const tasks = defineTasks(import.meta.url, { f: (x: number): number => x * x });
if (isMain()) {
  const startMethod = process.argv[2] as 'thread' | 'process';
  setStartMethod(startMethod);
  const p = new Pool({ processes: 5 });
  const results: number[] = [];
  p.mapAsync(tasks.f, [1, 2, 3], { callback: (r) => results.push(...r) });
  const deadline = Date.now() + 30_000;
  while (results.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (Date.now() > deadline) throw new Error('Timed out waiting for results');
  }
  results.sort((a, b) => a - b);
  console.log(startMethod, '->', \`[\${results.join(', ')}]\`);
}
`;

/** The same as CommonJS (no top-level await; `require` of the ES-only package). */
const TEST_SOURCE_CJS = `const { pathToFileURL } = require('node:url');
const { defineTasks, isMain, Pool, setStartMethod } = require('@multiproc/multiproc');
const tasks = defineTasks(pathToFileURL(__filename).href, { f: (x) => x * x });
module.exports = { tasks };
if (isMain()) {
  const startMethod = process.argv[2];
  setStartMethod(startMethod);
  const p = new Pool({ processes: 5 });
  const results = [];
  p.mapAsync(tasks.f, [1, 2, 3], { callback: (r) => results.push(...r) });
  const deadline = Date.now() + 30_000;
  const poll = () => {
    if (results.length === 0) {
      if (Date.now() > deadline) throw new Error('Timed out waiting for results');
      setTimeout(poll, 50);
      return;
    }
    results.sort((a, b) => a - b);
    console.log(startMethod, '->', \`[\${results.join(', ')}]\`);
  };
  poll();
}
`;

// Python's test_source_main_skipped_in_children: a main module with no guard, which must never
// run in a worker (Python skips a __main__.py or an ipython main in children; here a worker
// imports only the module of its task, so the main module never runs there). Its task is not its
// own (Python maps the builtin int): it lives in a sibling module.
const SKIPPED_MAIN = (
  tasksModule: string,
) => `import { isMain, Pool, setStartMethod } from '@multiproc/multiproc';
import { tasks } from '${tasksModule}';
if (!isMain()) throw new Error('Should only be called as the main module!');
const startMethod = process.argv[2];
setStartMethod(startMethod);
const p = new Pool({ processes: 5 });
const results = [];
p.mapAsync(tasks.int, ['1', '4', '9'], { callback: (r) => results.push(...r) });
const deadline = Date.now() + 30_000;
while (results.length === 0) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (Date.now() > deadline) throw new Error('Timed out waiting for results');
}
results.sort((a, b) => a - b);
console.log(startMethod, '->', \`[\${results.join(', ')}]\`);
`;
const INT_TASKS = `import { defineTasks } from '@multiproc/multiproc';
export const tasks = defineTasks(import.meta.url, { int: (s) => Number.parseInt(s, 10) });
`;
const INT_TASKS_CJS = `const { pathToFileURL } = require('node:url');
const { defineTasks } = require('@multiproc/multiproc');
module.exports.tasks = defineTasks(pathToFileURL(__filename).href, { int: (s) => Number.parseInt(s, 10) });
`;
const SKIPPED_MAIN_CJS = `const { isMain, Pool, setStartMethod } = require('@multiproc/multiproc');
const { tasks } = require('./tasks.js');
if (!isMain()) throw new Error('Should only be called as the main module!');
const startMethod = process.argv[2];
setStartMethod(startMethod);
const p = new Pool({ processes: 5 });
const results = [];
p.mapAsync(tasks.int, ['1', '4', '9'], { callback: (r) => results.push(...r) });
const deadline = Date.now() + 30_000;
const poll = () => {
  if (results.length === 0) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for results');
    setTimeout(poll, 50);
    return;
  }
  results.sort((a, b) => a - b);
  console.log(startMethod, '->', \`[\${results.join(', ')}]\`);
};
poll();
`;

/** One way to run a program: its files, and the arguments of `node` (before the context). */
interface Invocation {
  files: Record<string, string>;
  /** The node arguments, given the project's folder. */
  args: (dir: string) => string[];
  /** The project's folder name (default 'project'). */
  name?: string;
}

const TYPE_MODULE = JSON.stringify({ type: 'module' });

const INVOCATIONS: Record<string, Invocation> = {
  test_basic_script: { files: { 'script.mjs': TEST_SOURCE }, args: (d) => [join(d, 'script.mjs')] },
  'test_basic_script_no_suffix (an ES module: its package.json says "type": "module")': {
    files: { 'package.json': TYPE_MODULE, script: TEST_SOURCE },
    args: (d) => [join(d, 'script')],
  },
  'test_basic_script_no_suffix (CommonJS)': {
    files: { script: TEST_SOURCE_CJS },
    args: (d) => [join(d, 'script')],
  },
  'test_ipython_workaround (a main module with no guard, its tasks in another module)': {
    files: { 'ipython.mjs': SKIPPED_MAIN('./tasks.mjs'), 'tasks.mjs': INT_TASKS },
    args: (d) => [join(d, 'ipython.mjs')],
  },
  'test_ipython_workaround, no suffix': {
    files: { 'package.json': TYPE_MODULE, ipython: SKIPPED_MAIN('./tasks.js'), 'tasks.js': INT_TASKS },
    args: (d) => [join(d, 'ipython')],
  },
  'test_script_compiled (the TypeScript source, under tsx)': {
    files: { 'package.json': TYPE_MODULE, 'script.ts': TEST_SOURCE_TS },
    args: (d) => ['--import', 'tsx', join(d, 'script.ts')],
  },
  'test_script_compiled (compiled to CommonJS: a .cjs file)': {
    files: { 'script.cjs': TEST_SOURCE_CJS },
    args: (d) => [join(d, 'script.cjs')],
  },
  'test_directory (node <folder>: its package.json main, with no guard)': {
    files: {
      'package.json': JSON.stringify({ type: 'module', main: 'main.js' }),
      'main.js': SKIPPED_MAIN('./tasks.js'),
      'tasks.js': INT_TASKS,
    },
    args: (d) => [d],
  },
  'test_directory_compiled (node <folder>: its CommonJS index.js, with no guard)': {
    files: { 'index.js': SKIPPED_MAIN_CJS, 'tasks.js': INT_TASKS_CJS },
    args: (d) => [d],
  },
  'test_module_in_package (a launcher imports it; it imports its sibling)': {
    files: {
      'test_pkg/check_sibling.mjs': `import './sibling.mjs';\n${TEST_SOURCE}`,
      'test_pkg/sibling.mjs': '',
      'launch.mjs': "await import('./test_pkg/check_sibling.mjs');\n",
    },
    args: (d) => [join(d, 'launch.mjs')],
  },
  'test_package (a launcher imports a package by name; its main has no guard)': {
    files: {
      'node_modules/test_pkg/package.json': JSON.stringify({ name: 'test_pkg', exports: './index.mjs' }),
      'node_modules/test_pkg/index.mjs': SKIPPED_MAIN('./tasks.mjs'),
      'node_modules/test_pkg/tasks.mjs': INT_TASKS,
      'launch.mjs': "await import('test_pkg');\n",
    },
    args: (d) => [join(d, 'launch.mjs')],
  },
  'test_package_compiled (the same package in CommonJS)': {
    files: {
      'node_modules/test_pkg/package.json': JSON.stringify({ name: 'test_pkg', main: 'index.js' }),
      'node_modules/test_pkg/index.js': SKIPPED_MAIN_CJS,
      'node_modules/test_pkg/tasks.js': INT_TASKS_CJS,
      'launch.mjs': "await import('test_pkg');\n",
    },
    args: (d) => [join(d, 'launch.mjs')],
  },
  // Past Python's: the module's URL (which a worker imports) escapes these folder names
  'test_basic_script from a folder named "with space"': {
    files: { 'script.mjs': TEST_SOURCE },
    args: (d) => [join(d, 'script.mjs')],
    name: 'with space',
  },
  'test_basic_script from a folder named "hash#and?query"': {
    files: { 'script.mjs': TEST_SOURCE },
    args: (d) => [join(d, 'script.mjs')],
    name: 'hash#and?query',
  },
  'test_basic_script from a folder named "per%20cent"': {
    files: { 'script.mjs': TEST_SOURCE },
    args: (d) => [join(d, 'script.mjs')],
    name: 'per%20cent',
  },
  'test_basic_script from a folder named "ünïcödé"': {
    files: { 'script.mjs': TEST_SOURCE },
    args: (d) => [join(d, 'script.mjs')],
    name: 'ünïcödé',
  },
};

describe.each(CONTEXTS)('test_multiprocessing_main_handling, %s context', (context) => {
  it.each(Object.keys(INVOCATIONS))('%s', { timeout: 90_000 }, async (which) => {
    const { files, args, name } = INVOCATIONS[which]!;
    const dir = project(files, name);
    const { code, stdout, stderr } = await node([...args(dir), context]);
    // Python's _check_output: exit code 0, nothing on stderr, the sorted results
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({
      code: 0,
      stdout: `${context} -> [1, 4, 9]`,
      stderr: '',
    });
  });

  it('test_basic_script through a symbolic link to the script', { timeout: 90_000 }, async () => {
    const dir = project({ 'real/script.mjs': TEST_SOURCE });
    symlinkSync(join(dir, 'real', 'script.mjs'), join(dir, 'link.mjs'));
    const { code, stdout, stderr } = await node([join(dir, 'link.mjs'), context]);
    expect({ code, stdout: stdout.trim(), stderr }).toEqual({
      code: 0,
      stdout: `${context} -> [1, 4, 9]`,
      stderr: '',
    });
  });

  it('the script given to -e (Python: -c, whose __main__ functions a spawned child cannot find): ValidationError at once, nothing printed', {
    timeout: 90_000,
  }, async () => {
    const dir = project({});
    // run from the project, so that the code's import finds the package
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', TEST_SOURCE, context],
        { cwd: dir, timeout: 60_000 },
        (err, out, errOut) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out, stderr: errOut }),
      );
    });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('ValidationError');
    expect(stderr).toContain('-e/--eval');
  });
});

describe.each(CONTEXTS)('test_concurrent_futures/test_init.py, %s context', (context) => {
  it('InitializerMixin.test_initializer: each of the 2 workers ran init("initialized") before its calls', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, initializer: tasks.init, initargs: ['initialized'] });
    const futures = range(2).map(() => p.applyAsync(tasks.getInitStatus, []));
    for (const f of futures) expect(await f.get()).toBe('initialized');
  });

  it('FailingInitializerMixin.test_initializer: every call fails with the initializer’s error, later ones too; the starts stay bounded', {
    timeout: 60_000,
  }, async () => {
    const file = scratch();
    writeFileSync(file, '');
    const p = pool({ processes: 2, context, initializer: tasks.initFail, initargs: [file] });
    // Python: BrokenExecutor from future.result(), then from every submit(); the pool here does
    // not break: each call dispatched to a worker rejects with its initializer's error
    const first = await p.apply(tasks.getInitStatus, []).catch((e: unknown) => e);
    expect(first).toMatchObject({ name: 'RangeError', message: 'error in initializer' });
    const later = await Promise.allSettled(range(5).map(() => p.apply(tasks.getInitStatus, [])));
    for (const r of later) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        name: 'RangeError',
        message: 'error in initializer',
      });
    }
    // No silent respawn loop (Python's Pool starts workers whose initializer fails forever): the
    // workers that replace the failed ones may still run it a few times, then the count stays put
    // for good (a second with no new run, within 10 s)
    let runs = readFileSync(file, 'utf8').length;
    for (let tries = 0; tries < 10; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = readFileSync(file, 'utf8').length;
      if (now === runs) break;
      runs = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(readFileSync(file, 'utf8').length).toBe(runs);
  });
});

describe.each(CONTEXTS)(
  'FailingInitializerResourcesTest and TestPoolNotLeakOnFailure, %s context',
  (context) => {
    it('FailingInitializerResourcesTest: a pool whose initializer fails, terminated, leaves no worker and no pending call', {
      timeout: 60_000,
    }, async () => {
      const file = scratch();
      writeFileSync(file, '');
      const p = new Pool({ processes: 2, context, initializer: tasks.initFail, initargs: [file] });
      const ended: number[] = [];
      const started: number[] = [];
      p.on('workerCreate', (w) => started.push(w.id));
      p.on('workerDestroy', (w) => ended.push(w.id));
      const calls = range(4).map(() => p.applyAsync(tasks.getInitStatus, []));
      for (const c of calls) await expect(c.get()).rejects.toMatchObject({ message: 'error in initializer' });
      const waiting = p.applyAsync(tasks.getInitStatus, []);
      await p.terminate();
      await p.join();
      await expect(waiting.get()).rejects.toBeInstanceOf(Error);
      expect(p.stats().workers).toBe(0);
      expect(new Set(ended)).toEqual(new Set(started));
    });
  },
);

describe('TestPoolNotLeakOnFailure (process context: a worker start fails when Node refuses its NODE_OPTIONS)', () => {
  it('test_release_unused_processes: when every start fails, each call fails with WorkerStartError and no child is left', {
    timeout: 90_000,
  }, async () => {
    const { code, stdout } = await runProgram('cpython-port-58-no-leak.mjs', ['0']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.results).toEqual(Array(8).fill('WorkerStartError'));
    expect(out.alive).toBe(0);
  });

  it('test_release_unused_processes: when starts fail after two workers started, the two serve every call; none is left after terminate()', {
    timeout: 90_000,
  }, async () => {
    const { code, stdout } = await runProgram('cpython-port-58-no-leak.mjs', ['2']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.results).toEqual(range(8).map((i) => i * i));
    expect(out.started).toBeGreaterThanOrEqual(2);
    expect(out.alive).toBe(0);
  });
});

describe.each(CONTEXTS)('test_concurrent_futures executor.py ExecutorTest, %s context', (context) => {
  it('test_map: map(pow, range(10), range(10)), with and without chunksize 3 (two iterables: starmap of their zip)', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const pairs = range(10).map((i) => [i, i] as [number, number]);
    const expected = range(10).map((i) => i ** i);
    expect(await p.starmap(tasks.pow, pairs)).toEqual(expected);
    expect(await p.starmap(tasks.pow, pairs, { chunksize: 3 })).toEqual(expected);
  });

  it('test_map_exception: a lazy map of divmod over [1,1,1,1] and [2,3,0,5] yields two results, then the division error', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    // Python's executor.map(divmod, xs, ys) is lazy: imap over the pairs here
    const pairs = [1, 1, 1, 1].map((x, i) => [x, [2, 3, 0, 5][i]!] as [number, number]);
    const i = p.imap(tasks.divmodPair, pairs)[Symbol.asyncIterator]();
    expect(await i.next()).toEqual({ done: false, value: [0, 1] });
    expect(await i.next()).toEqual({ done: false, value: [0, 1] });
    await expect(i.next()).rejects.toBeInstanceOf(RangeError); // Python: ZeroDivisionError
  });
});

describe.each(CONTEXTS)(
  'test_concurrent_futures test_thread_pool.py ThreadPoolExecutorTest, %s context',
  (context) => {
    it('test_map_submits_without_iteration: an imap nobody iterates still runs every item before join() resolves', {
      timeout: 60_000,
    }, async () => {
      const file = scratch();
      writeFileSync(file, '');
      const p = pool({ processes: 2, context });
      p.imap(
        tasks.recordFinished,
        range(10).map((n) => [file, n] as [string, number]),
      );
      p.close(); // Python: shutdown(wait=True)
      await p.join();
      const finished = readFileSync(file, 'utf8').trim().split('\n').map(Number);
      expect(finished.sort((a, b) => a - b)).toEqual(range(10));
    });

    it('test_executor_map_current_future_cancel: a lazy map that timed out while the pool was busy never starts its items', {
      timeout: 60_000,
    }, async () => {
      const file = scratch();
      writeFileSync(file, '');
      const stopEvent = getContext(context).Event();
      const p = pool({ processes: 1, context });
      // submit work to saturate the pool
      const fut = p.apply(tasks.logNWait, [[file, 'first', stopEvent]]);
      try {
        const gen = p.imap(
          tasks.logNWait,
          [
            [file, 'second', stopEvent],
            [file, 'third', stopEvent],
          ],
          { timeout: 0 },
        );
        // Python: TimeoutError from next(gen); contextlib.closing() then closes the generator
        await expect(
          (async () => {
            for await (const _ of gen) {
              // nothing comes before the timeout
            }
          })(),
        ).rejects.toBeInstanceOf(TimeoutError);
      } finally {
        await stopEvent.set();
      }
      await fut;
      p.close();
      await p.join();
      // ident='second' is cancelled by the TimeoutError, ident='third' never left the input
      expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual([
        "ident='first' started",
        "ident='first' stopped",
      ]);
    });
  },
);

describe.each(CONTEXTS)('_TestPoolWorkerLifetime as Python checks it, %s context', (context) => {
  it('test_pool_worker_lifetime: 3 workers with pids; after 100 calls with maxTasksPerChild 10, the pool has 3 again, all new', {
    timeout: 90_000,
  }, async () => {
    const p = pool({ processes: 3, context, maxTasksPerChild: 10 });
    // Python's p._pool: the live workers, by their ids, with the pid each has (a thread's is this
    // program's, so its thread id tells them apart)
    const live = new Map<number, number | undefined>();
    p.on('workerCreate', (w) => live.set(w.id, context === 'thread' ? w.threadId : w.pid));
    p.on('workerDestroy', (w) => live.delete(w.id));
    expect(p.stats().workers).toBe(3);
    await p.map(tasks.sqr, [0, 0, 0], { chunksize: 1 });
    await until(() => live.size === 3, 'the first 3 workers');
    const origworkerpids = [...live.values()];
    const results = range(100).map((i) => p.applyAsync(tasks.sqr, [i]));
    for (const [j, res] of results.entries()) expect(await res.get()).toBe(j * j);
    // Python refills the pool itself (_repopulate_pool); here the pool keeps `processes` workers
    await until(() => p.stats().workers === 3 && p.stats().starting === 0 && live.size === 3, 'a full pool');
    const finalworkerpids = [...live.values()];
    expect(origworkerpids).not.toContain(undefined);
    expect(finalworkerpids).not.toContain(undefined);
    expect([...finalworkerpids].sort()).not.toEqual([...origworkerpids].sort());
    for (const pid of finalworkerpids) expect(origworkerpids).not.toContain(pid);
    p.close();
    await p.join();
    await expect(p.apply(tasks.sqr, [1])).rejects.toBeInstanceOf(PoolClosedError);
  });
});

/** Resolves once `check()` is true; fails after 20 s, saying `what` never came. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
