// A Barrier action that travels to worker threads as its control words (an Int32Array over shared
// memory): the fixtures' own action runners read them to hold the action on a gate.
import { type EncodeContext, encodeSymbol, registerCodec } from '@multiproc/shared';

export class GateAction {
  readonly ctl: Int32Array;
  constructor(ctl: Int32Array) {
    this.ctl = ctl;
  }
  [encodeSymbol](_ctx: EncodeContext) {
    return { type: 'test.GateAction', data: this.ctl };
  }
}
registerCodec('test.GateAction', (ctl: Int32Array) => new GateAction(ctl));
