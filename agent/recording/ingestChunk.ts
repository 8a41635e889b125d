import type { IngestProfileParams, IngestProfileResult } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { importProfileBytes, profileIdOf } from '../import/importFile';
import { gunzipIfCompressed } from '../readProfileFile';
import { labelKey } from '../import/importedProfile';
import { log } from '../log';

/** The internal label holding a probe chunk's key on its rows: which chunk each sample came in. */
export const CHUNK_LABEL = '__chunk';

/** A recorded profile in any format the importers read (a V8 chunk, a perf window, a scraped pprof). */
export interface RecordedProfile {
  bytes: Buffer;
  startMs: number;
  labels: Record<string, string>;
  droppedChunks: number;
  /** The probe's key for the chunk (IngestProfileParams.chunkKey); without one the chunk is keyed by its content. */
  chunkKey?: string;
}

/** A probe's chunk as a recorded profile. */
export function recordedChunk(params: IngestProfileParams): RecordedProfile {
  return { bytes: Buffer.from(params.profile, 'utf8'), startMs: params.startMs, labels: params.labels, droppedChunks: params.droppedChunks, chunkKey: params.chunkKey };
}

/**
 * Stores one recorded profile, whether a probe's chunk arrived over the socket or from the spool, or a collector
 * of the agent's own recorded it, exactly once: it is one store transaction with an idempotency key, the probe's
 * chunk key (`__chunk` on its rows) or else its content hash, which the store checks in the same step as it writes.
 * So a chunk sent twice (resent after the agent restarted, or sent and spooled at the program's exit, both arriving
 * at once) is stored once. Checking first and writing after, as before, stored such a chunk twice.
 */
export async function ingestChunk(store: Store, recorded: RecordedProfile): Promise<Omit<IngestProfileResult, 'stop'>> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(recorded.labels)) labels[labelKey(key)] = value;
  if (recorded.droppedChunks > 0) {
    log('warn', `the probe in pid ${labels['pid'] ?? '?'} dropped ${recorded.droppedChunks} chunk(s) while the agent was away`);
  }
  const name = `${labels['runtime'] ?? 'probe'} pid ${labels['pid'] ?? '?'}`;
  if (recorded.chunkKey !== undefined) labels[CHUNK_LABEL] = recorded.chunkKey;
  const idempotencyKey = recorded.chunkKey !== undefined ? `chunk:${recorded.chunkKey}` : `profile:${profileIdOf(gunzipIfCompressed(recorded.bytes, name))}`;
  const imported = await importProfileBytes(store, recorded.bytes, name, labels, { anchor: { startMs: recorded.startMs }, idempotencyKey });
  return { rows: imported.rows, profileId: imported.profileId, alreadyStored: imported.alreadyStored };
}
