// Shared by the by-hand experiments of this folder.
export const SIZE = 65536;
export const N = 8192;
/** The median of `samples`, to two decimals. */
export const median = (samples) => samples.sort((a, b) => a - b)[samples.length >> 1].toFixed(2);
