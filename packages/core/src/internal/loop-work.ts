/**
 * The "did anything give the loop work" rule of every `'beforeExit'` verdict (documented in
 * `@multiproc/shared`'s `internal/loop-work.ts`, which shared's and ipc's waits use too).
 */
export { gotWorkSince, ifLoopStaysDry, type LoopStock, takeLoopStock } from '@multiproc/shared';
