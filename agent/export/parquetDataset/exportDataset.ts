import { join } from 'node:path';
import type { ScanSource, Selection } from '../../../storage/query';
import { COLUMN } from '../../../storage/schema';
import { DatasetIds } from './datasetIds';
import { checkDatasetFolder, markerText } from './datasetFolder';
import { idsFileName, MARKER_FILE, runFileName, samplesPartition, TABLES } from './datasetLayout';
import { framesTable, stacksTable } from './metadataTables';
import { encodeTable, FINGERPRINT_KEY, fileFingerprint, idsInFolder, writeAtomically } from './parquetFiles';
import { groupSamples, numberColumn, type SampleGroup } from './sampleGroups';
import { sampleTable } from './sampleTable';

/** The store could not be read whole: exporting it would drop the unreadable blocks' samples from their runs' files. */
export class DamagedStoreError extends Error {
  constructor(readonly files: readonly string[]) {
    super(`the store could not be read whole (${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} damaged), so nothing was exported: exporting it would drop those samples from the dataset`);
    this.name = 'DamagedStoreError';
  }
}

export interface DatasetExportSummary {
  /** Selected samples, and how many of them were in files written now (new or grown runs). */
  samples: number;
  samplesWritten: number;
  /** Samples files written, and those already holding the same rows (left as they were). */
  filesWritten: number;
  filesUnchanged: number;
  framesWritten: number;
  stacksWritten: number;
  /** Bytes of every file written. */
  bytesWritten: number;
  /** Bytes of the samples files written (over samplesWritten: the bytes a sample). */
  samplesBytes: number;
}

/**
 * Writes the selected samples into the Parquet dataset at `dir`, or adds them to it (docs/design/parquet-dataset.md).
 * One samples file per run, partition and selection (`selectionKey`), replaced only when its rows changed, so an
 * export repeated adds nothing and one after more runs writes only theirs. Everything is read and checked before
 * anything is written; frames, then stacks, then samples are written, each file atomically, so a reader never meets
 * a sample whose stack is not there yet.
 */
export async function exportDataset(source: ScanSource, selection: Selection, selectionKey: string, dir: string): Promise<DatasetExportSummary> {
  const folder = await checkDatasetFolder(dir);
  const ids = new DatasetIds(source.metadata);
  const groups = await groupSamples(source, selection, selectionKey, ids);
  // A run read without the rows of a damaged block would replace its complete file with fewer rows.
  const damaged = (source as { damagedBlocks?: readonly { file: string }[] }).damagedBlocks ?? [];
  if (damaged.length > 0) throw new DamagedStoreError(damaged.map(d => d.file));
  const changed: { group: SampleGroup; path: string }[] = [];
  for (const group of groups) {
    const path = join(dir, samplesPartition(group.key.profileType, group.key.date), runFileName(group.key));
    if ((await fileFingerprint(path)) !== group.fingerprint) changed.push({ group, path });
  }
  const summary: DatasetExportSummary = {
    samples: groups.reduce((sum, g) => sum + g.rows, 0),
    samplesWritten: 0,
    filesWritten: 0,
    filesUnchanged: groups.length - changed.length,
    framesWritten: 0,
    stacksWritten: 0,
    bytesWritten: 0,
    samplesBytes: 0,
  };
  // Stacks and frames of every exported run, not only the changed ones: one whose file was lost (deleted as damaged)
  // is written again, so no run's samples are left naming a stack the dataset lacks.
  const { stacks, frames } = groups.length === 0 ? { stacks: [], frames: [] } : await newMetadata(groups, ids, dir);
  if (changed.length === 0 && stacks.length === 0 && frames.length === 0) return summary;
  if (!folder.marked) await writeAtomically(join(dir, MARKER_FILE), Buffer.from(`${markerText()}\n`));
  const write = async (path: string, bytes: Uint8Array): Promise<void> => {
    await writeAtomically(path, bytes);
    summary.bytesWritten += bytes.length;
  };
  if (frames.length > 0) await write(join(dir, TABLES.frames, idsFileName(frames.map(f => ids.frame(f)))), encodeTable(framesTable(frames, ids)));
  if (stacks.length > 0) await write(join(dir, TABLES.stacks, idsFileName(stacks.map(s => ids.stack(s)))), encodeTable(stacksTable(stacks, ids)));
  summary.framesWritten = frames.length;
  summary.stacksWritten = stacks.length;
  for (const { group, path } of changed) {
    const bytes = encodeTable(sampleTable(group, ids), { [FINGERPRINT_KEY]: group.fingerprint }, ['timestamp']);
    await write(path, bytes);
    summary.filesWritten++;
    summary.samplesWritten += group.rows;
    summary.samplesBytes += bytes.length;
  }
  return summary;
}

/**
 * The store's stacks and frames the groups' samples name that the dataset lacks, one per dataset id, sorted by it
 * (so the same ones make the same file).
 */
async function newMetadata(groups: SampleGroup[], ids: DatasetIds, dir: string): Promise<{ stacks: number[]; frames: number[] }> {
  const [stacksThere, framesThere] = await Promise.all([idsInFolder(join(dir, TABLES.stacks), 'stack_id'), idsInFolder(join(dir, TABLES.frames), 'frame_id')]);
  // Store stack ids are dense (below stackCount + 1), so a flag per id finds the distinct ones without a hash set.
  const named = new Uint8Array(ids.metadata.stackCount + 1);
  const later = new Set<number>();
  for (const group of groups) {
    for (const { batch, rows } of group.parts) {
      const column = numberColumn(batch, COLUMN.stackId)!;
      for (const row of rows) {
        const stack = column.values[column.offset + row]!;
        if (stack < named.length) named[stack] = 1;
        else later.add(stack);
      }
    }
  }
  const stacks = new Map<bigint, number>();
  for (const stack of [...named.keys()].filter(s => named[s] === 1).concat([...later])) {
    const id = ids.stack(stack);
    if (!stacksThere.has(id) && !stacks.has(id)) stacks.set(id, stack);
  }
  const frames = new Map<bigint, number>();
  for (const stack of stacks.values()) {
    for (const frame of Array.from(ids.stackFrames(stack))) {
      const id = ids.frame(frame);
      if (!framesThere.has(id) && !frames.has(id)) frames.set(id, frame);
    }
  }
  const sorted = (map: Map<bigint, number>): number[] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { stacks: sorted(stacks), frames: sorted(frames) };
}
