const TWO_32 = 4294967296;

/**
 * Protobuf's wire format read in place, for the decoders of pprof (pprof/pprofDecode.ts) and OpenTelemetry profiles
 * (otlp/otlpDecode.ts): varints as plain numbers (int64 as two's complement, exact below 2^53), embedded messages by
 * moving `end` in and out, never an object per field. Every read stays within the current message's bounds and
 * throws an Error saying what ran past them; the callers turn that into a sentence for the user.
 */
export class ProtobufReader {
  pos: number;
  /** Where the message being read ends (moved in and out as embedded messages are entered and left). */
  end: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    end: number,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** A varint as an int64 (two's complement), exact below 2^53. */
  int64(): number {
    const bytes = this.bytes;
    let b = this.byte();
    if (b < 0x80) return b;
    let lo = b & 0x7f;
    let shift = 7;
    // The low 28 bits fit any JavaScript bitwise arithmetic.
    while (shift < 28) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return lo;
      shift += 7;
    }
    // Bits 28..31 come from the fifth byte, its other bits start the high word.
    b = this.byte();
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x70) >> 4;
    if (b >= 0x80) {
      shift = 3;
      for (let i = 0; i < 5; i++) {
        if (this.pos >= this.end) throw new Error('a varint runs past the end of its message');
        b = bytes[this.pos++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
        if (i === 4) throw new Error('a varint is longer than 10 bytes');
      }
    }
    return (hi | 0) * TWO_32 + lo;
  }

  /** A varint as a uint64: a number below 2^53, a bigint above. */
  uint64(): number | bigint {
    const start = this.pos;
    const value = this.int64();
    if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) return value;
    let result = 0n;
    let shift = 0n;
    for (let i = start; i < this.pos; i++) {
      result |= BigInt(this.bytes[i]! & 0x7f) << shift;
      shift += 7n;
    }
    return BigInt.asUintN(64, result);
  }

  byte(): number {
    if (this.pos >= this.end) throw new Error('a varint runs past the end of its message');
    return this.bytes[this.pos++]!;
  }

  /** The bounds of a length-delimited field's content. */
  delimited(): number {
    const length = this.int64();
    const end = this.pos + length;
    if (length < 0 || end > this.end) throw new Error(`a field claims ${length} bytes but its message has ${this.end - this.pos} left`);
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.int64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.delimited();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`unknown wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new Error('a fixed-size field runs past the end of its message');
  }

  /** Starts reading an embedded message that ends at `end`; returns the outer message's end, to restore. */
  enter(end: number): number {
    const outer = this.end;
    this.end = end;
    return outer;
  }

  /** A fixed64 field (OTLP's timestamps) as a number, exact below 2^53. */
  fixed64(): number {
    if (this.pos + 8 > this.end) throw new Error('a fixed-size field runs past the end of its message');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getUint32(4, true) * TWO_32 + view.getUint32(0, true);
  }

  /** A length-delimited field's content as a view of the bytes (not a copy). */
  delimitedBytes(): Uint8Array {
    const end = this.delimited();
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  /** A repeated int64 field, packed or not, appended to `out`. */
  integers(wireType: number, out: number[]): void {
    if (wireType === 2) {
      const end = this.delimited();
      const outer = this.enter(end);
      while (this.pos < end) out.push(this.int64());
      this.end = outer;
    } else if (wireType === 0) {
      out.push(this.int64());
    } else {
      throw new Error(`a repeated integer has wire type ${wireType}`);
    }
  }
}
