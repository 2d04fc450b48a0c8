// A class of the tests' own that the codec sends as `{ type, data: id }` and rebuilds on receipt:
// what the codec tests put inside values to see whether a library object arrives live.
import { type EncodeContext, encodeSymbol, registerCodec } from '@multiproc/shared';

/** Registers a codec named `type` and returns its class: one number, `id`, sent as the data. */
export function codecClass(type: string) {
  class Token {
    readonly id: number;
    constructor(id: number) {
      this.id = id;
    }
    [encodeSymbol](_ctx: EncodeContext) {
      return { type, data: this.id };
    }
  }
  registerCodec(type, (id: number) => new Token(id));
  return Token;
}
