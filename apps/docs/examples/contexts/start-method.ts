// start-method.ts: set the default context for the whole program, once.
import { getAllStartMethods, getStartMethod, isMain, setStartMethod } from '@multiproc/multiproc';

if (isMain()) {
  console.log(getAllStartMethods(), getStartMethod());
  setStartMethod('process'); // every Process and Pool without a `context` option now uses it
  try {
    setStartMethod('thread'); // like Python, a second call needs { force: true }
  } catch (err) {
    console.log((err as Error).name);
  }
  setStartMethod('thread', { force: true });
  console.log(getStartMethod());
}

// Output:
// [ 'thread', 'process' ] thread
// ContextError
// thread
