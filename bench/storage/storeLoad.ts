import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import type { SampleWrite } from '../../storage/write/sampleWrite';
import { generateCatalog, generateSamples, type GeneratedCatalog, type GeneratedSamples, type GeneratorConfig } from './generateSamples';

/**
 * Loading the store the way the agent does: frames and stacks interned in its metadata, then samples written in
 * chunks through the write-ahead log, several writes in flight so that the log's group commit can batch their
 * fdatasyncs.
 */
export function internCatalog(store: Store, catalog: GeneratedCatalog): void {
  const frameIds = catalog.frames.map(frame => store.internFrame(frame));
  catalog.stacks.forEach((stack, index) => {
    // The generator lists frames root first; the store wants them leaf first.
    const leafFirst = Array.from(stack, f => frameIds[f]!).reverse();
    const id = store.internStack(leafFirst);
    if (id !== index + 1) throw new Error(`stack ${index} was interned as ${id}: the benchmark relies on ids in catalog order`);
  });
}

export interface IngestOptions {
  /** Samples per write. */
  writeRows: number;
  /** Writes awaiting acknowledgement at once. */
  inFlight: number;
}

/**
 * Writes rows [from, to) and resolves once every write is acknowledged (durable and visible). Returns the
 * milliseconds taken. The write objects are built from the typed columns as they are submitted, as a client
 * converting its profile would; that conversion is part of the time (about 1% of it).
 */
export async function ingest(
  store: Store,
  catalog: GeneratedCatalog,
  samples: GeneratedSamples,
  stackIds: Uint32Array,
  from: number,
  to: number,
  options: IngestOptions,
): Promise<number> {
  const started = performance.now();
  const pending = new Set<Promise<unknown>>();
  let failure: unknown;
  for (let start = from; start < to; start += options.writeRows) {
    const end = Math.min(to, start + options.writeRows);
    const write: Promise<void> = store.write(sampleWrite(catalog, samples, stackIds, start, end)).then(
      () => {
        pending.delete(write);
      },
      (error: unknown) => {
        failure ??= error;
        pending.delete(write);
      },
    );
    pending.add(write);
    if (pending.size >= options.inFlight) await Promise.race(pending);
    if (failure) throw failure;
  }
  await Promise.all(pending);
  if (failure) throw failure;
  return performance.now() - started;
}

function sampleWrite(catalog: GeneratedCatalog, samples: GeneratedSamples, stackIds: Uint32Array, from: number, to: number): SampleWrite {
  const n = to - from;
  const labelA = new Array<string>(n);
  const labelB = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    labelA[i] = catalog.labelA[samples.labelA[from + i]!]!;
    labelB[i] = catalog.labelB[samples.labelB[from + i]!]!;
  }
  return {
    profileType: 'cpu:samples:count:cpu:nanoseconds',
    periodNs: 10_000_000,
    rowLabels: { label_a: labelA, label_b: labelB },
    timestamps: samples.timestamps.subarray(from, to),
    values: samples.values.subarray(from, to),
    stackIds: stackIds.subarray(from, to),
  };
}

/** Bytes of every file under a directory (blocks, metadata, manifest, log segments, lock). */
export async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size;
  }
  return total;
}

/**
 * A store at `path` holding the generator's samples for `config`, loaded as the agent would and closed, for the
 * benchmarks that then serve it from a real agent (lsp, stall); the load's milliseconds.
 */
export async function loadGeneratedStore(path: string, config: GeneratorConfig): Promise<number> {
  const store = await Store.open(path);
  const catalog = generateCatalog(config);
  internCatalog(store, catalog);
  const samples = generateSamples(config);
  const stackIds = Uint32Array.from(samples.stackIndex, s => s + 1);
  const loadMs = await ingest(store, catalog, samples, stackIds, 0, config.samples, { writeRows: 65_536, inFlight: 4 });
  await store.close();
  return loadMs;
}
