// An in-memory system for the protocol model test: one HomeProtocol (a queue or a pipe) and
// several CopyProtocols, joined by links whose frames a scheduler delivers in any order between
// links (each link stays FIFO). Copies flush at the end of each step, as a turn ends; a kill drops
// what a copy had not flushed yet, as a thread terminated mid-turn would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { CopyProtocol, ROOM_COUNTED } from '../../src/internal/protocol/copy.js';
import { COPY_SHARED_BYTES, QueueCount } from '../../src/internal/protocol/count.js';
import { type HomeKind, HomeProtocol } from '../../src/internal/protocol/home.js';
import type { Endpoint, HomeActions, Wait } from '../../src/internal/protocol/home-copy.js';
import { EOF, type Item, isDecoded, MOVED_TAG, TIMEOUT } from '../../src/internal/protocol/item.js';
import { type LoanCell, WordCell } from '../../src/internal/protocol/loan.js';
import { Op } from '../../src/internal/protocol/ops.js';
import type { PutWait, ReaderCopy } from '../../src/internal/protocol/reader-copy.js';
import { FileCell } from '../../src/internal/runtime/loan-file.js';

export interface Frame {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly body: Item;
}
const END: Frame = { op: -1, a: 0, b: 0, body: '' };
const OPS = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));
// Whether a port link would carry `f` to `cs` in a run: an item pushed to a thread copy or to a
// pipe end over a port, not one sent by move.
function inRun(cs: CopySim, f: Frame): boolean {
  if (f === END || f.op !== Op.H_DATA || (cs.count === null && !cs.moves) || (f.b & MOVED_TAG) !== 0)
    return false;
  const body = f.body;
  return (
    typeof body === 'string' || (isDecoded(body) && body.moved !== true && typeof body.value === 'string')
  );
}

function runValue(body: Item): unknown {
  return typeof body === 'string' ? body : (body as { value: unknown }).value;
}

function show(f: Frame): string {
  const body = typeof f.body === 'object' && 'value' in f.body ? `moved ${f.body.value}` : String(f.body);
  return f === END ? 'END' : `${OPS[f.op]}(${f.a},${f.b}${f.body ? `,${body}` : ''})`;
}

/** A get or put the model is waiting on. */
export interface Probe extends Wait {
  result?: unknown;
  readonly kind: 'get' | 'put' | 'join' | 'sync';
  readonly who: string;
  item?: string;
  /** A putNowait(): its item may be lost with a copy killed before its turn ended. */
  nowait?: boolean;
  /** A thread copy's put that took room itself: complete once sent, lost likewise. */
  direct?: boolean;
  /** Runs when it settles (a copy's synchronous question answered: nowait.ts). */
  onSettle?: (result: unknown) => void;
}

export interface Consumed {
  readonly item: string;
  readonly by: string;
}

let loanRoot: string | null = null;
let loanDirs = 0;
// Whether some loans go through a named pipe (loan-pipe.ts) once the first one went by rename.
let pipes = true;
/**
 * For the enclosing `describe`: process copies of queues are lent items through real loan files
 * (loan-file.ts) in a temporary folder, as in a program (outside it they are not lent, the default).
 */
export function lendThroughFiles(withPipes = true): void {
  beforeAll(() => {
    pipes = withPipes;
    loanRoot = mkdtempSync(`${tmpdir()}/mp-model-loans-`);
  });
  afterAll(() => {
    const dir = loanRoot;
    loanRoot = null;
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }, 600_000); // a soak leaves a folder per copy per run
}

export class CopySim {
  readonly name: string;
  readonly proto: CopyProtocol;
  readonly end: number;
  home!: ReaderCopy;
  alive = true;
  /** It has reached its home (the model may attach a copy late). */
  attached = false;
  /** It was reserved at home before it attached (a copy on its way to a process). */
  reserved = false;
  moves = false;
  pending: Frame[] = [];
  readonly up: Frame[] = [];
  readonly down: Frame[] = [];
  /** What the copy recorded in shared memory as consumed (a thread's counter). */
  counter = 0;
  /** A thread copy of a queue: the queue's shared count, which it counts its puts and gets in. */
  count: QueueCount | null = null;
  /** A thread copy's shared words: its LOAN word says what it was lent and has not claimed. */
  loanWords: Int32Array | null = null;
  /** A queue's copy in a process: the folder of its loan file (loan-file.ts), its home's cell. */
  loanDir: string | null = null;
  homeCell: LoanCell | null = null;
  /** The room it took in `count`, as recorded in its shared memory. */
  roomTaken = 0;
  /** A JoinableQueue's copy: a thread copy counts the task of each put in `count` (remote-sync.ts). */
  joinable = false;
  maxsize = 0;
  /** The tasks it counted in `count`, as recorded in its shared memory. */
  tasksTaken = 0;
  /** Values sent to it by move, in order (the home keeps no copy to look at). */
  readonly movedHere: string[] = [];
  /** The items of its R_PUT_WAIT frames the home received, by sequence. */
  readonly putSeqs = new Map<number, string>();
  /** One of its gets ended with EOF: no item may reach it any more (the EOF came too early). */
  sawEof = false;
  readonly probes: Probe[] = [];
  constructor(name: string, end: number, proto: (c: CopySim) => CopyProtocol) {
    this.name = name;
    this.end = end;
    this.proto = proto(this);
  }
}

export class System implements HomeActions {
  readonly home: HomeProtocol;
  readonly copies: CopySim[] = [];
  readonly local: Probe[] = [];
  /** Every item handed to a get, in the order handed out. */
  readonly consumed: Consumed[] = [];
  /** Items whose consumer stopped waiting or went away before using them (they may come late). */
  readonly late = new Set<string>();
  /** Items sent at once by move (the home kept no copy: lost if their copy dies with them). */
  readonly moved = new Set<string>();
  /** EOFs seen while their channel had not ended: must stay empty. */
  readonly badEofs: string[] = [];
  /** Items the home sent to a copy after it was told the copy's worker is being stopped: must stay empty. */
  readonly servedStopped: string[] = [];
  /** Items a put waiting for room left at home when admitted (copy name + seq -> item). */
  readonly admitted = new Set<string>();
  readonly timers: PutWait[] = [];
  /** Warnings the copies gave (a taskDone() sent on its way and refused at home). */
  readonly warnings: string[] = [];
  /** The timers of joins' flush barriers (flush-barrier.ts). */
  readonly barriers: Wait[] = [];
  /** Items that reached the home in an R_PUT (admitted there), and the count's zeros then. */
  readonly arrived = new Set<string>();
  readonly arrivedAtZeros = new Map<string, number>();
  readonly eofs: string[] = [];
  clock = 0;
  /** What happened, for the report of a failing run. */
  readonly log: string[];
  #schedule: (name: string, run: () => void) => void;
  readonly #linkOf = new Map<ReaderCopy, CopySim>();
  // Copies the home sent to during this turn: their batch carries a state report (queues).
  readonly #sentTo = new Set<CopySim>();

  constructor(kind: HomeKind, schedule: (name: string, run: () => void) => void, log: string[] = []) {
    this.log = log;
    this.home = new HomeProtocol(kind, this);
    this.#schedule = schedule;
  }

  // ── HomeActions ──────────────────────────────────────────────────────────────────────────
  send(c: ReaderCopy, op: number, a: number, b: number, body?: Item): void {
    const cs = this.#linkOf.get(c);
    if (!cs) return;
    this.#sentTo.add(cs);
    if (op === Op.H_DATA && c.ending)
      this.servedStopped.push(`${cs.name}: ${show({ op, a, b, body: body ?? '' })}`);
    if (op === Op.H_DATA || op === Op.H_RECALL)
      this.log.push(`    (home sends ${show({ op, a, b, body: body ?? '' })} to ${cs.name})`);
    if (op === Op.H_PUT_DONE && b === 1) this.#admittedPut(cs, a);
    this.#down(cs, { op, a, b, body: body ?? '' });
  }
  sendNow(c: ReaderCopy, _op: number, a: number, b: number, value: unknown): boolean {
    const cs = this.#linkOf.get(c);
    if (!cs || !c.moves) return false;
    this.moved.add(value as string);
    cs.movedHere.push(value as string);
    // The home keeps a copy (home.ts sendNow): the copy returns nothing.
    this.#down(cs, { op: Op.H_DATA, a, b, body: { value } });
    return true;
  }
  sendBytesNow(): null {
    return null; // the model's links are not sockets
  }
  end(c: ReaderCopy): void {
    const cs = this.#linkOf.get(c);
    if (cs) this.#down(cs, END);
  }
  linger(c: ReaderCopy): void {
    this.send(c, Op.H_CLOSED, 0, 0);
  }
  settle(w: Wait, result: Item | symbol | boolean): void {
    const p = w as Probe;
    if (p.kind === undefined) return; // a copy's put waiting at home
    this.#settled(p, result);
  }
  startTimer(w: Wait, _ms: number, holds?: boolean): void {
    // A join's flush barrier: its copies answer in time here (they never block); put waits expire.
    if (holds) this.barriers.push(w);
    else this.timers.push(w as PutWait);
  }
  hold(_e: Endpoint, _on: boolean): void {}
  listen(): void {}

  // ── building ─────────────────────────────────────────────────────────────────────────────
  addCopy(
    end: number,
    opts: {
      maxsize: number;
      acked: boolean;
      eager: boolean;
      moves?: boolean;
      counts?: boolean;
      joinable?: boolean;
    },
    attach = true,
  ): CopySim {
    const name = `c${this.copies.length}`;
    const cs = new CopySim(
      name,
      end,
      (self) =>
        new CopyProtocol(
          { ...opts, moves: opts.moves ?? false },
          {
            send: (op, a, b, body) => self.pending.push({ op, a, b, body: body ?? '' }),
            settle: (w, r) => this.#settled(w as Probe, r),
            hold: () => {},
            ready: () => {},
            consumed: (total) => {
              self.counter = total;
              self.count?.add(-1);
            },
            flushNow: () => this.flush(self),
            warn: (m) => this.warnings.push(`${self.name}: ${m}`),
          },
        ),
    );
    cs.moves = opts.moves ?? false;
    cs.joinable = opts.joinable ?? false;
    cs.maxsize = opts.maxsize;
    if (opts.counts) cs.count = new QueueCount(opts.maxsize, this.home.main.count!.buffer);
    // A thread copy claims what its home lends it in its shared words (loan.ts).
    if (opts.counts)
      cs.proto.useLoan(
        new WordCell((cs.loanWords = new Int32Array(new SharedArrayBuffer(COPY_SHARED_BYTES)))),
      );
    else if (this.home.isQueue && loanRoot !== null) {
      // A copy in another process claims by renaming a file (loan-file.ts): a real one here.
      cs.loanDir = `${loanRoot}/${++loanDirs}`;
      cs.proto.useLoan(new FileCell(cs.loanDir));
    }
    this.copies.push(cs);
    if (attach) this.attach(cs);
    // On its way, as a copy sent to a process is: its handle counts (R_RESERVE) until it connects.
    else {
      cs.reserved = true;
      this.home.reserve(end, cs.name, false);
    }
    return cs;
  }

  /**
   * The copy reaches its home. One made with `attach` false was reserved and joins later than the
   * others (it claims its reservation).
   */
  attach(cs: CopySim): void {
    if (cs.attached) return;
    cs.attached = true;
    this.log.push(`${cs.name} attaches`);
    const init = (c: ReaderCopy) => {
      c.moves = cs.moves;
      c.countsOwn = cs.count !== null;
      c.loanCell = cs.loanWords
        ? new WordCell(cs.loanWords)
        : cs.loanDir
          ? new FileCell(cs.loanDir, { pipeNow: pipes && /[02468]$/.test(cs.loanDir) }) // half through a pipe
          : null;
      cs.home = c;
      this.#linkOf.set(c, cs);
    };
    if (cs.reserved) this.home.claim(cs.end, cs.name, init);
    else this.home.attach(cs.end, init);
  }

  // ── steps ────────────────────────────────────────────────────────────────────────────────
  /** Ends a copy's turn: what it sent leaves, in order, after its consumed-report. */
  flush(cs: CopySim): void {
    if (!cs.alive) return;
    cs.proto.beforeFlush();
    if (cs.pending.length > 0) this.log.push(`    [${cs.name} ${cs.proto.debugState}]`);
    for (const f of cs.pending.splice(0)) this.#up(cs, f);
  }

  /** A copy's thread is terminated: what it had not flushed is lost; its link then closes. */
  /**
   * A copy's worker dies. `stopping`: the home was told first (Process.kill(), a recycled pool
   * call: its holder is ending), so it sends that copy no item from then on.
   */
  kill(cs: CopySim, stopping = false): void {
    if (!cs.alive) return;
    if (stopping && cs.attached) this.home.holderEnding(cs.home);
    cs.alive = false;
    cs.pending = [];
    this.#up(cs, END);
  }

  /** A copy's worker calls process.exit(): it flushes synchronously, then its link closes. */
  exit(cs: CopySim): void {
    this.flush(cs);
    this.kill(cs);
  }

  get(who: CopySim | null, timeoutMs: number, end = 0): Probe {
    const p: Probe = { done: false, kind: 'get', who: who?.name ?? `home${end || ''}` };
    if (!who) {
      const now = this.home.tryTake(end);
      if (now !== undefined) this.#settled(p, now);
      else if (timeoutMs === 0) this.#settled(p, TIMEOUT);
      else {
        this.local.push(p);
        (p as Probe & { end: number }).end = end;
        this.home.waitTake(end, p);
      }
      return p;
    }
    who.proto.clock = this.clock;
    const now = who.proto.get(null);
    if (now !== undefined) this.#settled(p, now);
    else if (timeoutMs === 0) {
      const r = who.proto.tryGet(p);
      if (r !== undefined) this.#settled(p, r);
    } else who.proto.get(p);
    who.probes.push(p);
    this.flush(who);
    return p;
  }

  /** A get that timed out: its item, if one is on its way, will find no taker there. */
  cancelGet(p: Probe): void {
    if (p.done) return;
    const cs = this.copies.find((c) => c.name === p.who);
    const ok = cs
      ? cs.proto.cancel(p, true)
      : this.home.cancel((p as Probe & { end?: number }).end ?? 0, p, false);
    if (ok) this.#settled(p, TIMEOUT);
    if (cs) this.flush(cs);
  }

  /** The home thread's `Connection.send()`: at once by move when it can, else as an item. */
  sendFromHome(end: number, item: string): void {
    if (!this.home.sendNow(end, item, keepString)) this.home.tryPut(end, item);
  }

  put(who: CopySim | null, item: string, acked: boolean, timeoutMs = -1): Probe {
    const p: Probe = { done: false, kind: 'put', who: who?.name ?? 'home', item };
    if (!who) {
      if (this.home.tryPut(0, item)) this.#settled(p, true);
      else {
        const w = Object.assign(p, { item, copy: null, seq: 0, local: true }) as Probe & PutWait;
        this.home.waitPut(0, w);
      }
      return p;
    }
    // A thread copy with room takes it (and a JoinableQueue's task) in the shared count and
    // sends the item: the put is complete (remote-sync.ts, putNow).
    if (who.count && this.putNow(who, item)) {
      p.direct = true;
      p.done = true;
      p.result = true;
    } else if (acked) who.proto.put(item, p, timeoutMs);
    else {
      who.proto.put(item, null, 0);
      p.done = true;
      p.result = true;
    }
    who.probes.push(p);
    this.flush(who);
    return p;
  }

  /** A thread copy's put that needs no answer (remote-sync.ts): false when it must ask the home. */
  putNow(who: CopySim, item: string): boolean {
    const count = who.count!;
    if (who.maxsize > 0 && who.proto.putsPending) return false;
    if (!count.tryReserve()) return false;
    who.roomTaken++;
    if (who.joinable) {
      count.addTask();
      who.tasksTaken++;
    }
    who.proto.put(item, null, 0, ROOM_COUNTED, who.joinable);
    return true;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────
  #admittedPut(cs: CopySim, seq: number): void {
    const item = cs.putSeqs.get(seq);
    if (item !== undefined) this.admitted.add(item);
  }

  #settled(p: Probe, r: unknown): void {
    p.done = true;
    p.result = r;
    p.onSettle?.(r);
    this.log.push(`  ${p.who} ${p.kind} -> ${String(r)}`);
    let item = typeof r === 'object' && r !== null && 'value' in r ? (r as { value: unknown }).value : r;
    if (Array.isArray(item)) item = JSON.stringify(item); // lent (loan.ts): the JSON text's value
    if (p.kind === 'get' && typeof item === 'string') this.consumed.push({ item, by: p.who });
    if (r === EOF) {
      this.eofs.push(p.who);
      const cs = this.copies.find((c) => c.name === p.who);
      const end = cs ? cs.end : ((p as Probe & { end?: number }).end ?? 0);
      const closed = cs !== undefined && cs.proto.state !== 'open';
      if (cs && !closed) cs.sawEof = true;
      if (!closed && !this.home.endpoints[end]!.read!.ended) this.badEofs.push(`${p.who} got EOF early`);
    }
  }

  #up(cs: CopySim, f: Frame): void {
    cs.up.push(f);
    this.#schedule(`${cs.name}↑`, () => {
      const frame = cs.up.shift()!;
      this.log.push(`  ${cs.name} -> home: ${show(frame)}`);
      if (frame === END) {
        // The home learns of the death from the link closing; the shared counter says what was
        // used. What the copy never used goes back, and may reach others after later items.
        this.home.taken(cs.home, cs.counter);
        if (cs.count) this.home.reservedBy(cs.home, cs.roomTaken);
        if (cs.count) this.home.tasksBy(cs.home, cs.tasksTaken);
        for (const item of drainView(cs.home)) this.late.add(item);
        this.home.linkClosed(cs.home);
      } else {
        if (frame.op === Op.R_PUT_WAIT) cs.putSeqs.set(frame.a, frame.body as string);
        if (frame.op === Op.R_PUT) {
          this.arrived.add(frame.body as string);
          this.arrivedAtZeros.set(frame.body as string, this.home.main.count?.zeros ?? 0);
        }
        // A get that timed out at a copy ends once the home stopped serving it (receiver.ts): what was
        // on its way for it is taken, so only a close sends items back late.
        if (frame.op === Op.R_CLOSE) {
          for (const item of drainView(cs.home)) this.late.add(item);
          const used = new Set(this.consumed.map((x) => x.item));
          for (const item of cs.movedHere) if (!used.has(item)) this.late.add(item);
        }
        // A moved item coming back from a copy that closed was on its way to it (the home kept no
        // copy to count above).
        if (frame.op === Op.R_RETURN && cs.home.phase === 'closing') {
          this.late.add((frame.body as { value: string }).value);
        }
        this.home.frame(cs.home, frame.op, frame.a, frame.b, frame.body);
      }
      this.flushHome();
    });
  }

  #down(cs: CopySim, f: Frame): void {
    cs.down.push(f);
    this.#schedule(`${cs.name}↓`, () => {
      const frame = cs.down.shift();
      if (frame === undefined) return; // it went with a run before it
      this.log.push(`  home -> ${cs.name}: ${show(frame)}${cs.alive ? '' : ' (dead)'}`);
      if (!cs.alive) return;
      cs.proto.clock = this.clock;
      const before = cs.proto.buffered;
      if (frame === END) cs.proto.linkClosed();
      else if (inRun(cs, frame)) this.#deliverRun(cs, frame);
      else cs.proto.frame(frame.op, frame.a, frame.b, frame.body);
      if (cs.sawEof && cs.proto.buffered > before)
        this.badEofs.push(`${cs.name} got EOF before ${show(frame)}`);
      this.flush(cs);
    });
  }

  // A port link (a thread copy, or a pipe end whose items move) carries consecutive items of one
  // epoch and tag as one run of JSON values (port-link.ts): the copy gets `frame` and the items
  // queued right behind it as one `dataRun`, as if the home had sent them in one batch.
  #deliverRun(cs: CopySim, frame: Frame): void {
    const values = [runValue(frame.body)];
    for (let next = cs.down[0]; next !== undefined && inRun(cs, next); next = cs.down[0]) {
      if (next.a !== frame.a || next.b !== frame.b) break;
      cs.down.shift();
      this.log.push(`  home -> ${cs.name}: ${show(next)} (in the run)`);
      values.push(runValue(next.body));
    }
    cs.proto.dataRun(frame.a, frame.b, JSON.stringify(values), values.length);
  }

  /** The home's turn ends: each batch leaving for a copy carries its state report (queues). */
  flushHome(): void {
    for (const cs of this.#sentTo) this.home.beforeFlush(cs.home);
    this.#sentTo.clear();
  }
}

function drainView(c: ReaderCopy): string[] {
  const out: string[] = [];
  const items = c.delivered.drain();
  for (const i of items) {
    if (typeof i === 'string') out.push(i);
    else if (typeof i === 'object' && 'value' in i) out.push(i.value as string);
  }
  c.delivered.unshiftAll(items);
  return out;
}

// What the home keeps of a value it sent at once: the model's items are strings, their own copy.
function keepString(value: unknown): Item {
  return value as string;
}
