import type { FileHandle } from 'node:fs/promises';

/** A loadable segment of an ELF file: where its bytes are in the file and at which address they are linked. */
export interface LoadSegment {
  offset: number;
  vaddr: number;
  size: number;
}

const PT_LOAD = 1;

/**
 * The PT_LOAD segments of a 64- or 32-bit ELF file, or undefined when the file is not ELF. perf names native
 * addresses as offsets into the file; addr2line wants the linked address, which the segment holding the offset
 * gives (address = offset − segment offset + segment address). Hand-written: a few header fields, no library needed.
 * The caller opens the file (under agent/localFiles.ts's rules) and closes it.
 */
export async function loadSegments(file: FileHandle): Promise<LoadSegment[] | undefined> {
  const header = Buffer.alloc(64);
  const { bytesRead } = await file.read(header, 0, 64, 0);
  if (bytesRead < 52 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = header[4] === 2;
  const little = header[5] === 1;
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const u64 = (b: Buffer, at: number) => Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
  const phoff = is64 ? u64(header, 32) : u32(header, 28);
  const phentsize = u16(header, is64 ? 54 : 42);
  const phnum = u16(header, is64 ? 56 : 44);
  if (phnum === 0 || phnum > 4096 || phentsize < (is64 ? 56 : 32)) return undefined;
  const table = Buffer.alloc(phentsize * phnum);
  await file.read(table, 0, table.length, phoff);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (u32(table, at) !== PT_LOAD) continue;
    segments.push(
      is64
        ? { offset: u64(table, at + 8), vaddr: u64(table, at + 16), size: u64(table, at + 32) }
        : { offset: u32(table, at + 4), vaddr: u32(table, at + 8), size: u32(table, at + 16) },
    );
  }
  return segments;
}

/** The linked address of a file offset, or undefined when no loadable segment holds it. */
export function offsetToAddress(segments: readonly LoadSegment[], offset: number): number | undefined {
  for (const s of segments) if (offset >= s.offset && offset < s.offset + s.size) return offset - s.offset + s.vaddr;
  return undefined;
}
