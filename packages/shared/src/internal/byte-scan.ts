/** The fast path's side of byte-sharing.ts (value-kinds.ts, scan): which byte objects need the walk. */

/** Whether `obj` is an ArrayBuffer or a view of one. */
export const isByteObject = (obj: object): obj is ArrayBuffer | ArrayBufferView =>
  obj instanceof ArrayBuffer || ArrayBuffer.isView(obj);

/** Whether a byte object met in a value (to a process) makes it take the full walk. */
export class ByteScan {
  #first: ArrayBufferLike | undefined;
  #all: Set<ArrayBufferLike> | undefined;

  /** Whether `obj`, an ArrayBuffer or view, does not span its buffer or meets one met before. */
  needsWalk(obj: object): boolean {
    let ab: ArrayBufferLike;
    if (obj instanceof ArrayBuffer) ab = obj;
    else if (ArrayBuffer.isView(obj)) {
      ab = obj.buffer;
      if (obj.byteOffset !== 0 || obj.byteLength !== ab.byteLength) return true;
    } else return false;
    if (this.#first === undefined) {
      this.#first = ab;
      return false;
    }
    if (ab === this.#first) return true;
    this.#all ??= new Set([this.#first]);
    if (this.#all.has(ab)) return true;
    this.#all.add(ab);
    return false;
  }
}
