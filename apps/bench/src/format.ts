import type { Unit } from './types.js';

function scaled(value: number, unit: string): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G ${unit}`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M ${unit}`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k ${unit}`;
  return `${value.toFixed(0)} ${unit}`;
}

/** A value in its unit, for people: `4.11M items/s`, `1.72 GiB/s`, `66.2 ms`, `1.97x`. */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'B/s':
      return value >= 2 ** 30
        ? `${(value / 2 ** 30).toFixed(2)} GiB/s`
        : `${(value / 2 ** 20).toFixed(0)} MiB/s`;
    case 'ms':
      return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
    case 'µs':
      return `${value.toFixed(1)} µs`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'x':
      return `${value.toFixed(2)}x`;
    case '%':
      return `${value.toFixed(1)} %`;
    default:
      return scaled(value, unit);
  }
}

/** A ratio: `2.31x`. */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '—' : `${ratio.toFixed(2)}x`;
}
