/** The options of `ByteChannel`: of the constructor, of a write, and of a read. */

/** Options of `new ByteChannel()`. */
export interface ByteChannelOptions {
  /**
   * The largest message, in bytes, rounded up to a multiple of 8 (`capacity: 13` gives a channel
   * whose `capacity` reads 16; `1` gives 8): the ring keeps every message 8-aligned. The ring is
   * sized for one message of this length: each message takes its length plus an 8-byte header,
   * rounded up to a multiple of 8, so smaller messages share the room (a 1024-byte channel holds
   * 43 messages of 16 bytes, 24 bytes each).
   * @default 1048576 (1 MiB)
   */
  capacity?: number | null | undefined;
  /**
   * `true` for many writers and many readers at once (MPMC); `false` when at most one thread
   * writes and one reads at a time (SPSC, no locking).
   * @default false
   */
  multi?: boolean | null | undefined;
}

/** Options of a channel read or write. */
export interface ChannelWaitOptions {
  /**
   * How long to wait, in milliseconds; `0` tries once.
   * @default Infinity
   */
  timeout?: number | undefined;
  /**
   * Whether an async wait keeps the event loop (and so the program or worker) alive. Pass `false`
   * for a background reader that should not hold the program open by itself.
   * @default true
   */
  keepAlive?: boolean | null | undefined;
}

/** Options of a channel read. */
export interface ChannelReadOptions extends ChannelWaitOptions {
  /**
   * Copy the message into this buffer instead of a new one: no allocation, which matters for large
   * messages. A `Uint8Array` (or `Buffer`) gets the message from its first byte and the read
   * returns `into.subarray(0, length)`; any other typed array, a `DataView` or an `ArrayBuffer` is
   * filled the same way, byte by byte, and the read returns a `Uint8Array` over those bytes. A
   * message that does not fit throws `ValidationError` and stays queued; anything else than a
   * buffer throws `ValidationError` before the read looks for a message.
   */
  into?: ArrayBufferView | ArrayBuffer | SharedArrayBuffer | null | undefined;
}
