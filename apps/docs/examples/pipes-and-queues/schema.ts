// schema.ts: validate what arrives with a zod schema (senders may be in another process).
import { isMain, Pipe, ValidationError } from '@multiproc/multiproc';
import { z } from 'zod';

const Order = z.object({ id: z.number().int(), qty: z.number().positive() });

if (isMain()) {
  const [rx, tx] = Pipe<z.infer<typeof Order>>({ duplex: false, schema: Order });
  tx.send({ id: 1, qty: 3 });
  tx.send({ id: 2, qty: -1 } as never); // a bad value: rejects that recv() only
  tx.send({ id: 3, qty: 1 });
  console.log(await rx.recv());
  try {
    await rx.recv();
  } catch (err) {
    console.log(err instanceof ValidationError, (err as ValidationError).message.includes('qty'));
  }
  console.log(await rx.recv()); // the next value is still delivered
  try {
    // @ts-expect-error: the receive-only end (a ReceiveEnd) has no send(); JavaScript gets:
    rx.send({ id: 4, qty: 1 });
  } catch (err) {
    console.log((err as Error).name);
  }
  rx.close();
  tx.close();
}

// Output:
// { id: 1, qty: 3 }
// true true
// { id: 3, qty: 1 }
// ProcessError
