/** Number, time, byte and share formatting for the webview and the language server, in the reader's locale. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const threeDigits = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function formatCount(count: number): string {
  return integer.format(count);
}

/** Microseconds in the largest unit that keeps the number readable: 850 µs, 12.3 ms, 4.56 s, 3 min 12 s. */
export function formatMicros(micros: number): string {
  if (micros < 1_000) return `${threeDigits.format(micros)} µs`;
  if (micros < 1_000_000) return `${threeDigits.format(micros / 1_000)} ms`;
  if (micros < 60_000_000) return `${threeDigits.format(micros / 1_000_000)} s`;
  const seconds = Math.round(micros / 1_000_000);
  return `${integer.format(Math.floor(seconds / 60))} min ${seconds % 60} s`;
}

/**
 * A share of a whole. A tiny but real share reads "<0.1%" rather than a misleading "0%", and an empty whole
 * (a profile without samples) reads 0% rather than NaN.
 */
export function formatShare(part: number, whole: number): string {
  const share = whole > 0 ? part / whole : 0;
  if (share > 0 && share < 0.0005) return `<${percent.format(0.001)}`;
  return percent.format(share);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in binary units: 512 B, 1.5 KiB, 23.4 MiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? integer.format(value) : threeDigits.format(value)} ${BYTE_UNITS[unit]}`;
}

/** A value in the unit a view measures: time, bytes, a count or samples. */
export function formatValue(value: number, unit: 'micros' | 'bytes' | 'count' | 'samples'): string {
  switch (unit) {
    case 'micros':
      return formatMicros(value);
    case 'bytes':
      return formatBytes(value);
    case 'count':
      return formatCount(value);
    case 'samples':
      return formatSamples(value);
  }
}

/** "1 sample", "2 samples". */
export function formatSamples(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'sample' : 'samples'}`;
}
