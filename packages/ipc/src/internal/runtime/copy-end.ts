/**
 * How a copy's handle ends (remote-handle.ts): its link closes (the home ended it after the copy's
 * close, or the home's thread or process ended; a will it left is read then), or, after a close,
 * the home answers H_CLOSED and keeps the link open to hear the ends of workers this copy's holder
 * started (protocol/home-copy.ts, sponsors). Either way the copy ends once.
 */
import type { Link } from '../link/link.js';
import type { CopyProtocol } from '../protocol/copy.js';
import { Op } from '../protocol/ops.js';
import type { CopyWill } from './copy-will.js';

/**
 * Sets `link`'s frame and close handlers for `proto`; `ended(lingering)` runs once, when the copy
 * is gone (`lingering`: by H_CLOSED, its link still open and held by nothing).
 */
export function wireCopyEnd(
  link: Link,
  proto: CopyProtocol,
  will: CopyWill | null,
  ended: (lingering: boolean) => void,
): void {
  let gone = false;
  link.onFrame = (op, a, b, body) => {
    will?.heard(op); // what the home has for this copy comes over the link
    if (op !== Op.H_CLOSED) return proto.frame(op, a, b, body);
    if (gone) return;
    gone = true;
    proto.linkClosed();
    ended(true);
  };
  link.onClose = () => {
    if (gone) return;
    gone = true;
    // A will holds the home's bequest (H_HEIR over a link) and what it sent and did not hear taken,
    // or what came before items it lost; an empty one says only that the home ran its exit hooks
    // (bequest.ts, leaveUnconfirmed). Taken, it is the copy's H_HEIR (protocol/will-heir.ts).
    const taken = will?.atClose((w) => proto.inheritWill(w));
    if (taken && !proto.homeEnded) proto.frame(Op.H_HEIR, 0, 0, undefined as never);
    proto.linkClosed();
    ended(false);
  };
}
