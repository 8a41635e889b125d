import { frameColumns, framesFromColumns, packStacks, unpackStacks, type FrameColumns } from './metadataCodec';
import type { MetadataChanges } from './metadataStore';

/**
 * The payload of one metadata-log record: the frames and stacks interned between two checkpoints. Two formats are
 * read, told apart by the first byte:
 *
 * - JSON (first byte '{'): a MetadataChanges object with each stack an array of numbers. Written until the
 *   binary format replaced it, so stores of earlier versions hold it. After a big import it was a string of tens of
 *   megabytes, with its copies the largest part of the import's peak memory.
 * - Binary (first byte BINARY_FORMAT), little-endian:
 *
 *     format u32 | header length u32 | header JSON (utf-8) | zero padding to 4 bytes |
 *     stack lengths u32×s | stack frame ids u32×(sum of lengths)
 *
 *   The header holds the frames column-wise and the stacks' first id and counts; stacks travel as raw arrays, as
 *   in a write-ahead-log payload (metadataCodec.ts).
 */
const BINARY_FORMAT = 2;
const JSON_FIRST_BYTE = 0x7b; // '{'

interface BinaryHeader {
  frames: FrameColumns;
  stacks: { first: number; count: number; frameIds: number };
}

/**
 * The binary payload as pieces to write one after another (encodeRecordHeader takes pieces): the stacks' ids are
 * the store's own slabs, not a copy.
 */
export function encodeMetadataPayload(changes: MetadataChanges): Uint8Array[] {
  const packed = packStacks(changes.stacks);
  const header: BinaryHeader = {
    frames: frameColumns(changes.firstFrameId, changes.frames),
    stacks: { first: changes.firstStackId, count: changes.stacks.length, frameIds: packed.idCount },
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align4(8 + json.length));
  prefix.writeUInt32LE(BINARY_FORMAT, 0);
  prefix.writeUInt32LE(json.length, 4);
  json.copy(prefix, 8);
  return [prefix, new Uint8Array(packed.lengths.buffer, packed.lengths.byteOffset, packed.lengths.byteLength), ...packed.idRuns];
}

/** Reads either format; throws, saying why, when the payload is neither or its lengths do not add up. */
export function decodeMetadataPayload(payload: Buffer): MetadataChanges {
  if (payload.length > 0 && payload[0] === JSON_FIRST_BYTE) return JSON.parse(payload.toString('utf8')) as MetadataChanges;
  if (payload.length < 8 || payload.readUInt32LE(0) !== BINARY_FORMAT) {
    throw new Error(`unknown metadata record format ${payload.length < 4 ? '(too short)' : String(payload.readUInt32LE(0))}`);
  }
  const headerLength = payload.readUInt32LE(4);
  if (8 + headerLength > payload.length) throw new Error(`metadata record header of ${headerLength} bytes overruns the record`);
  const header = JSON.parse(payload.toString('utf8', 8, 8 + headerLength)) as BinaryHeader;
  const { count, frameIds } = header.stacks;
  const start = align4(8 + headerLength);
  const expected = start + 4 * (count + frameIds);
  if (payload.length !== expected) throw new Error(`metadata record holds ${payload.length} bytes, expected ${expected}`);
  return {
    firstFrameId: header.frames.first,
    frames: framesFromColumns(header.frames),
    firstStackId: header.stacks.first,
    stacks: unpackStacks(uint32s(payload, start, count), uint32s(payload, start + 4 * count, frameIds)),
  };
}

/** `count` uint32s at `offset`: a view when the bytes are aligned for one, else a copy. */
function uint32s(bytes: Buffer, offset: number, count: number): Uint32Array {
  const at = bytes.byteOffset + offset;
  if (at % 4 === 0) return new Uint32Array(bytes.buffer, at, count);
  const copy = new Uint8Array(count * 4);
  copy.set(bytes.subarray(offset, offset + count * 4));
  return new Uint32Array(copy.buffer);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
