// catching.ts: every error is a class with a stable code; test instanceof or code, not messages.
import {
  ClosedError,
  isMain,
  Pool,
  PoolClosedError,
  ProcessError,
  Queue,
  SerializationError,
  ValidationError,
} from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  try {
    new Pool({ processes: 0 }); // bad options throw at construction, naming the option
  } catch (err) {
    console.log(err instanceof ValidationError, (err as ValidationError).code);
  }

  const pool = new Pool({ processes: 1 });
  try {
    // Functions cannot be sent: the error names the path of the bad part.
    await pool.apply(tasks.echo, [{ onDone: () => {} }]).catch((err) => {
      console.log(err instanceof SerializationError, (err as SerializationError).path);
    });
    pool.close();
    await pool.apply(tasks.echo, [1]).catch((err) => {
      // PoolClosedError extends ClosedError, which extends ProcessError like every class here
      console.log(err instanceof PoolClosedError, err instanceof ClosedError, err instanceof ProcessError);
    });
  } finally {
    await pool.terminate();
  }

  const q = new Queue();
  q.close();
  await q.put(1).catch((err) => console.log((err as ProcessError).code));
}

// Output:
// true MP_VALIDATION
// true args[0].onDone
// true true true
// MP_CLOSED
