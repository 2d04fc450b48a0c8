// locks.ts: Lock, RLock and Semaphore in one thread, the async way (never blocks the event loop).
import { Lock, LockError, RLock, Semaphore } from '@multiproc/multiproc';

const lock = new Lock();
console.log(await lock.acquire(), lock.locked()); // true true
console.log(await lock.acquire({ timeout: 10 })); // false: held (by us), a Lock is not re-entrant
lock.release();
await lock.withLock(async () => console.log('inside withLock:', lock.locked()));

const rlock = new RLock(); // re-entrant: the holder may take it again
await rlock.acquire();
await rlock.acquire();
rlock.release();
rlock.release();

const slots = new Semaphore(2);
console.log(slots.tryAcquire(), slots.tryAcquire(), slots.tryAcquire()); // the third finds none

try {
  new Lock().release(); // releasing a lock nobody holds
} catch (err) {
  console.log(err instanceof LockError, (err as LockError).code);
}

// Output:
// true true
// false
// inside withLock: true
// true true false
// true MP_LOCK
