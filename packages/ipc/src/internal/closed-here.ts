/** The error of using this side's copy of a connection or queue after its own `close()`. */
import { ClosedError } from '@multiproc/shared';

/**
 * @internal `what` names the copy and the use: `'This Queue'`, `'Cannot send args[0]: the queue'`.
 */
export function closedHere(what: string): ClosedError {
  return new ClosedError(
    `${what} was closed here (other copies still work): close() it only once this side is done with it.`,
  );
}
