/**
 * Float64 ⇄ Int64 without BigInt. Blocks store numbers as Int64 (what other engines expect) while queries use
 * Float64; converting through BigInt costs ~60 ns per value, this costs ~1 ns: each Int64 is written as its low
 * and high 32-bit words, exact for every integer of magnitude below 2^53.
 */
export function float64ToInt64(values: Float64Array, length: number, into?: ArrayBuffer): BigInt64Array {
  // `into`: a buffer of at least 8 × length bytes to write into (a reused one, ScratchBuffers) instead of a new one.
  const out = into ? new BigInt64Array(into, 0, length) : new BigInt64Array(length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < length; i++) {
    const v = values[i]!;
    // Subtracting the high word is exact below 2^53 and much cheaper than a floating-point modulo.
    const high = Math.floor(v / 4294967296);
    words[2 * i] = (v - high * 4294967296) | 0;
    words[2 * i + 1] = high | 0;
  }
  return out;
}

export function int64ToFloat64(values: BigInt64Array | Int32Array, length: number, offset = 0): Float64Array {
  const words = values instanceof Int32Array ? values : new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const j = 2 * (offset + i);
    out[i] = words[j + 1]! * 4294967296 + (words[j]! >>> 0);
  }
  return out;
}
