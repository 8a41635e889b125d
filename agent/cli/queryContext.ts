import { parseSelector, type LabelMatcher } from '../../common/selector';
import { preferredProfileType } from '../../common/profileTypes';
import type { ScanSource, Selection } from '../../storage/query';
import { profileTypes } from '../queries/selectionProfileTypes';
import { StoreReader } from '../../storage/storeReader';
import { UsageError, whereToSelector } from './cliErrors';

/** The store opened for reading and the selection the options describe. */
export interface QueryContext {
  reader: StoreReader;
  source: ScanSource;
  selection: Selection;
  /** The profile type chosen (the one asked for, or the store's CPU time, or its only one). */
  profileType: string | undefined;
}

/**
 * Reads the store read-only (so the command works while the agent writes it) with `--where` and `--type` resolved, and
 * runs `work` on it; again on a newer view if the agent compacted a block away meanwhile (StoreReader.read), so
 * `work` prints only after its queries. Without `--type`, a store holding several profile types is read as CPU time
 * when it has it, else its first type, and the command says which.
 */
export async function readForQuery<T>(storeDirectory: string, where: readonly string[], type: string | undefined, work: (context: QueryContext) => Promise<T>): Promise<T> {
  const matchers = parseWhere(where);
  return StoreReader.read(storeDirectory, async reader => {
    const source = reader.snapshot();
    return work({ reader, source, ...(await selectionOf(source, matchers, type)) });
  });
}

/** `--where` as matchers; a mistake in it is a usage error. */
export function parseWhere(where: readonly string[]): LabelMatcher[] {
  try {
    return parseSelector(whereToSelector(where));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The selection of `matchers` and `--type` in a source (a reader's snapshot, or a store open in this process). */
export async function selectionOf(source: ScanSource, matchers: LabelMatcher[], type: string | undefined): Promise<{ selection: Selection; profileType: string | undefined }> {
  const types = await profileTypes(source, { matchers });
  if (type !== undefined && !types.includes(type)) {
    throw new UsageError(`no samples of profile type ${type} match; the store has: ${types.join(', ') || 'nothing'}`);
  }
  const profileType = type ?? preferredProfileType(types);
  return { selection: { matchers, ...(profileType ? { profileType } : {}) }, profileType };
}

export function formatValue(value: number, unit: string): string {
  switch (unit) {
    case 'nanoseconds':
      return value >= 1e9 ? `${(value / 1e9).toFixed(2)} s` : `${(value / 1e6).toFixed(2)} ms`;
    case 'bytes':
      return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`;
    default:
      return String(value);
  }
}
