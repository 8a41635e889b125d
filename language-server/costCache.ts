import type { PackedFileCosts, SourceCostsRequest } from '../common/protocol/agentProtocol';
import type { PathMapping } from '../common/protocol/languageServerProtocol';
import { unpackFileCosts, type FileCostTable } from './annotations';
import type { CostContext } from './costText';
import { PathIndex } from '../common/pathMapping';

/** The costs for one document: what it costs and which of the profile's files it is. */
export interface DocumentCosts {
  table: FileCostTable;
  /** The profile's name for the file (the first, when it has several spellings), for "Show in flame graph". */
  file: string;
  context: CostContext;
  /** How many of the selection's runs ran this file, when the costs were asked with `runsPerFile`. */
  runs?: number;
}

/**
 * The latest source costs from the agent, held in memory so that hovers and lenses never wait for a query: the
 * answer, an index of its files by path, and each document's unpacked table, made the first time it is asked for.
 */
export class CostCache {
  private answer: SourceCostsRequest.Result | undefined;
  private byFile = new Map<string, PackedFileCosts>();
  private index = new PathIndex([], []);
  private tables = new Map<string, DocumentCosts | null>();
  /** Bumped at every new answer or mapping, so annotations made from older costs are recognised as such. */
  generation = 0;

  /** The dataset the answer was read from (the selection's `source`), absent for the store's. */
  private source: string | undefined;

  set(answer: SourceCostsRequest.Result | undefined, mappings: readonly PathMapping[], source?: string): void {
    this.answer = answer;
    this.source = source;
    this.byFile = new Map((answer?.files ?? []).map(f => [f.file, f]));
    this.remap(mappings);
  }

  remap(mappings: readonly PathMapping[]): void {
    this.index = new PathIndex(this.byFile.keys(), mappings);
    this.tables.clear();
    this.generation++;
  }

  get context(): CostContext | undefined {
    const a = this.answer;
    return (
      a && {
        total: a.total,
        unit: a.unit,
        description: a.description,
        runs: a.runs,
        selector: a.selector,
        ...(a.profileType !== undefined ? { profileType: a.profileType } : {}),
        ...(this.source !== undefined ? { source: this.source } : {}),
      }
    );
  }

  get fileCount(): number {
    return this.byFile.size;
  }

  /** The costs of the document at this path, or undefined when the profile has no file that is it. */
  forDocument(path: string): DocumentCosts | undefined {
    const cached = this.tables.get(path);
    if (cached !== undefined) return cached ?? undefined;
    const context = this.context;
    const match = context && this.index.resolve(path);
    const packed = match ? match.files.map(f => this.byFile.get(f)!) : [];
    // One document may be several of the profile's files (spellings of one path, each run in its own checkout): the
    // runs that ran it are theirs together, and never more than the selection's.
    const runs = packed.every(f => f.runs !== undefined) ? Math.min(context?.runs ?? 0, packed.reduce((sum, f) => sum + f.runs!, 0)) : undefined;
    const found = match && context ? { table: unpackFileCosts(packed, this.answer?.split), file: match.files[0]!, context, ...(runs !== undefined ? { runs } : {}) } : undefined;
    this.tables.set(path, found ?? null);
    return found;
  }
}
