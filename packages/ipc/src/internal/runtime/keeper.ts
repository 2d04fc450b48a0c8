/**
 * A kept queue or pipe end (the codec's `keepSymbol`): copies made later from a reservation of
 * their own, so the object's handle here may be closed meanwhile, as a Python parent may close its
 * queue once the pool's workers hold theirs.
 */
import { ClosedError, type EncodeContext, type Encoded, encodeSymbol, type Keeper } from '@multiproc/shared';
import type { HandleKeeper } from './handle.js';

/** A codec keeper encoding `encode(kept, ctx)` until released. */
export function keeperOf(
  kept: HandleKeeper,
  encode: (h: HandleKeeper, ctx: EncodeContext) => Encoded,
): Keeper {
  let released = false;
  return {
    [encodeSymbol](ctx: EncodeContext): Encoded {
      if (released) throw new ClosedError(`Cannot send ${ctx.path}: the sender released its copy.`);
      return encode(kept, ctx);
    },
    release(): void {
      if (released) return;
      released = true;
      kept.release();
    },
  };
}
