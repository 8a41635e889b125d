/**
 * Protobuf's wire format written by hand, for the OTLP profiles export (otlpExport.ts): proto3 scalars are left out
 * when they hold their default (0, empty), as protobuf writers do; repeated integers are packed. An embedded message
 * is written by a function given a writer of its own, whose bytes are then copied in behind their length (a profile's
 * messages nest five deep at most, so each byte is copied a few times at most).
 */
export class ProtobufWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  /** A varint field (int32, int64, uint64; negative numbers as 64-bit two's complement); omitted when 0. */
  varint(field: number, value: number | bigint): void {
    if (value === 0 || value === 0n) return;
    this.tag(field, 0);
    this.rawVarint(value);
  }

  /** A fixed64 field (OTLP's nanosecond timestamps); omitted when 0. */
  fixed64(field: number, value: bigint): void {
    if (value === 0n) return;
    this.tag(field, 1);
    this.rawFixed64(value);
  }

  string(field: number, value: string): void {
    if (value === '') return;
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** A string of a repeated field, written even when empty (a string table's first entry is ""). */
  repeatedString(field: number, value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.tag(field, 2);
    this.rawVarint(bytes.length);
    this.append(bytes);
  }

  bytes(field: number, value: Uint8Array): void {
    if (value.length === 0) return;
    this.tag(field, 2);
    this.rawVarint(value.length);
    this.append(value);
  }

  /** A repeated varint field, packed; omitted when empty. */
  packedVarints(field: number, values: readonly (number | bigint)[]): void {
    if (values.length === 0) return;
    const inner = new ProtobufWriter();
    for (const v of values) inner.rawVarint(v);
    this.bytes(field, inner.finish());
  }

  /** A repeated fixed64 field, packed; omitted when empty. */
  packedFixed64(field: number, values: readonly bigint[]): void {
    if (values.length === 0) return;
    const inner = new ProtobufWriter();
    for (const v of values) inner.rawFixed64(v);
    this.bytes(field, inner.finish());
  }

  /**
   * An embedded message, written by `write`; `always` writes it even when empty (a dictionary's zero-value entry at
   * index 0 must be present).
   */
  message(field: number, write: (w: ProtobufWriter) => void, always = false): void {
    const inner = new ProtobufWriter();
    write(inner);
    const bytes = inner.finish();
    if (bytes.length === 0 && !always) return;
    this.tag(field, 2);
    this.rawVarint(bytes.length);
    this.append(bytes);
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.reserve(8);
      let v = value;
      while (v >= 0x80) {
        this.buffer[this.length++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      this.buffer[this.length++] = v;
      return;
    }
    if (typeof value === 'number' && !Number.isInteger(value)) throw new Error(`protobuf integers are whole numbers, not ${value}`);
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private rawFixed64(value: bigint): void {
    this.reserve(8);
    new DataView(this.buffer.buffer, this.buffer.byteOffset + this.length, 8).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.length += 8;
  }

  private append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}
