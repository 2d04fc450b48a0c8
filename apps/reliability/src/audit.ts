/**
 * The environment and file audit: every place the published packages read an environment
 * variable, a file or a directory of this machine, found in their sources. The security test
 * compares it with the list of reads the docs declare (each one the user pointed at, or one the
 * library set up for its own workers), so a new read fails CI until it is reviewed and listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One read found in a source file. */
export interface Read {
  readonly pkg: string;
  readonly file: string;
  readonly line: number;
  /** What is read: `env.NAME`, `env (whole)`, `fs.readFileSync`, `os.tmpdir`, ... */
  readonly what: string;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['shared', 'ipc', 'core', 'multiproc'];
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/process\.env\.([A-Z0-9_]+)/g, (m) => `env.${m[1]}`],
  [/process\.env\[/g, () => 'env[dynamic]'],
  [/process\.env\b(?![.[])/g, () => 'env (whole, passed to a child)'],
  [
    /\b(readFileSync|readFile|readdirSync|readdir|readlinkSync|readlink|existsSync|statSync|openSync|createReadStream)\(/g,
    (m) => `fs.${m[1]}`,
  ],
  [/\b(tmpdir|homedir)\(\)/g, (m) => `os.${m[1]}`],
  [/\bprocess\.cwd\(\)/g, () => 'process.cwd'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every read in the packages' `src/`. */
export function auditReads(): Read[] {
  const reads: Read[] = [];
  for (const pkg of PACKAGES) {
    for (const file of sources(join(ROOT, 'packages', pkg, 'src'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((text, i) => {
        if (/^\s*(\/\/|\*)/.test(text)) return;
        for (const [re, name] of PATTERNS) {
          for (let m = re.exec(text); m !== null; m = re.exec(text)) {
            reads.push({ pkg, file: relative(ROOT, file), line: i + 1, what: name(m) });
          }
          re.lastIndex = 0;
        }
      });
    }
  }
  return reads;
}

/**
 * What the packages may read, and why. Keyed by package and read, not by file, so moving code
 * keeps the list; a new kind of read is a review.
 */
export const DECLARED_READS: Readonly<Record<string, string>> = {
  'core env (whole, passed to a child)':
    "Workers inherit the parent's environment (the contract; Python's children do too); nothing in it is read by multiproc.",
  'core env.MULTIPROC_POOL_PARENT':
    'Set by the Pool host for its own workers only; read only inside a pool worker.',
  'core env.MULTIPROC_POOL_WORKER':
    "The worker's number in its pool (its name: ThreadPoolWorker-3), set by the Pool host for its own workers; read and removed at a pool worker's start.",
  'core env.MULTIPROC_POOL_DIRECT':
    "Whether a pool's threads write to the program's stdout and stderr descriptors themselves ('1') or through Node's worker streams (when the program had replaced process.stdout.write or stderr.write as it made the pool), set by the Pool host for its own threads; read and removed at a pool thread's start.",
  'core env.TINYPOOL_WORKER_ID':
    "tinypool's worker number, set by tinypool for its own workers; read only inside a pool worker.",
  'core env.PISCINA_DISABLE_ATOMICS':
    "tinypool's own switch for its workers' Atomics.wait loop between tasks, honoured as tinypool's worker entry does; read only inside a pool thread that serves tinypool's protocol itself.",
  'core env.MULTIPROC_REAPED_BY':
    "Set by the parent for the children its reaper covers (the parent's pid); read and removed at a child's start.",
  'core env.MULTIPROC_WORKER_DIR':
    "The folder of a bundle's worker entries, set by the user who bundles (the bundling guide); read only when set.",
  'core env[dynamic]':
    "A warm spare's target gets the parent's environment as it is at start(): the variables the parent set or removed since the spare was made are written into the spare's own env; nothing is read from it.",
  'shared fs.readFileSync':
    "Only /proc/self/task/<tid>/stat (Linux), for a thread's start time: a worker thread's own, once, to write its row in the roster of threads that hold shared primitives; another's, only while a blocked acquireSync() has slept 100 ms for a share that thread holds, to tell whether it died without giving back (out of memory, terminated), its tid not reused.",
  'shared fs.readlinkSync':
    'Only /proc/thread-self (Linux), once per worker thread that receives a shared primitive: its own kernel thread id, for that roster row.',
  'core fs.existsSync':
    "Only to find the library's own worker entry files: beside its module, beside the program's main file, or in MULTIPROC_WORKER_DIR; and, after the program changed directory, the package a bare --import/--loader flag of the program names, looked for from the start-up directory up as Node looked for it.",
  'core fs.statSync':
    'Only of the path the user gave defineTasks(), to refuse a folder (import.meta.dirname) or code run with -e (file:///…/[eval1]) at once; nothing is read from it.',
  'core fs.readFileSync':
    "tsx's package.json, only to load a TypeScript task module the user named, when no TS loader is active; and the package.json of a package a bare --import/--loader flag of the program names, only after the program changed directory (to pass workers its entry by path).",
  'core env.NODE_COMPILE_CACHE':
    "Node's own compile-cache folder: read in the host only to leave a program's own setting alone; otherwise set, with MULTIPROC_COMPILE_CACHE beside it, in a new worker's env so Node caches compiled code from its start (Node 22.1+), and both are removed at the worker's start.",
  'core os.tmpdir':
    "The folder Node's module.enableCompileCache() picks (<tmpdir>/node-compile-cache), named in a new worker's NODE_COMPILE_CACHE; nothing is read from it by multiproc.",
  'core env.NODE_OPTIONS':
    'Passed on to workers, with the module specifiers of its --import/--require/--loader flags resolved against the start-up directory once the program changed directory; read in a worker only to see whether a TypeScript loader other than tsx (--loader ts-node/esm) is active.',
  'core process.cwd':
    "Passed to child processes so they start in the parent's working directory (the contract); recorded once at import as the start-up directory (Python's ORIGINAL_DIR), against which the program's relative preload flags are resolved for workers after a chdir.",
  'ipc fs.existsSync':
    "Whether /dev/shm exists (Linux), once, to place a work queue's loan folders in memory; whether /usr/bin/mkfifo or /bin/mkfifo exists (Linux), once, to make a loan folder's named pipe (nothing is read from it); a will file next to a queue's Unix socket: what a worker that made the queue left for a reader that had not connected yet when it ended; and, when a Client() connection is sent to a worker, whether its listener's broker socket is on this machine (nothing is read from it).",
  'ipc fs.statSync':
    "Only of a socket file this program's Listener, Manager or queue broker made, to remove it at the end only if it is still that file (its inode): a file another program or the user put at that path stays; nothing is read from it.",
  'ipc fs.readFileSync':
    "Only such a will file (mode 0600, named by the reader's token), read once and removed by the reader it names; and /proc/<pid>/stat (Linux), for a process's start time: this process's, to mark a loan folder it uses, and that of a process that marked a leftover loan folder, so that a pid reused by another program keeps the folder.",
  'ipc fs.readlinkSync':
    "Only /proc/self/ns/pid (Linux), once, this process's pid namespace: a leftover loan folder is judged only by the marks of processes in the same one.",
  'ipc env[dynamic]':
    "TMPDIR, TEMP and TMP, in Python's tempfile.gettempdir() order, once, to choose the folder the Unix sockets between processes are made in.",
  'ipc fs.readdir':
    "The names in that socket folder, to remove this library's own socket files (mp-<pid>-….sock, mp-listener-<pid>-….sock) whose owner's pid no longer runs and on which nobody listens; nothing is read from them. And the names in /dev/shm (Linux; else that socket folder) and in this user's loan folders there (mp-<pid>-….sock.<uuid>.loan), to remove those a SIGKILLed program left once the processes that marked them run no more.",
  'ipc fs.readdirSync':
    "Only a loan folder this program's queue made for one of its consumers in another process (mode 0700, named by that consumer's random token, in /dev/shm on Linux, else beside the queue's socket): its one empty word file's name is the count of items lent (beside empty files marking the processes that use it); read by the queue's home to take unclaimed items back; removed when the consumer or the program ends.",
  'ipc fs.openSync':
    "Only the named pipe in such a loan folder (made by this program's queue with the system's mkfifo, mode 0600, once its consumer claimed from a loan), opened non-blocking by the queue's home and by that consumer: each 4-byte record in it is one item lent; closed when the consumer or the program ends.",
  'ipc os.tmpdir':
    'Where the Unix socket between processes is made (honours TMPDIR); only once a Pipe or Queue crosses to another process.',
};

/** The reads found that the list above does not declare, as "pkg what (file:line)". */
export function undeclaredReads(reads: readonly Read[] = auditReads()): string[] {
  return reads
    .filter((r) => !(`${r.pkg} ${r.what}` in DECLARED_READS))
    .map((r) => `${r.pkg} ${r.what} (${r.file}:${r.line})`);
}
