import type { IngestProfileParams, IngestProfileResult } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { importProfileBytes } from '../import/importFile';
import { labelKey } from '../import/importedProfile';
import { log } from '../log';

/** A recorded profile in any format the importers read (a V8 chunk, a perf window, a scraped pprof). */
export interface RecordedProfile {
  bytes: Buffer;
  startMs: number;
  labels: Record<string, string>;
  droppedChunks: number;
}

/** A probe's chunk as a recorded profile. */
export function recordedChunk(params: IngestProfileParams): RecordedProfile {
  return { bytes: Buffer.from(params.profile, 'utf8'), startMs: params.startMs, labels: params.labels, droppedChunks: params.droppedChunks };
}

/**
 * Stores one recorded profile, whether a probe's chunk arrived over the socket or from the spool, or a collector
 * of the agent's own recorded it. A profile is identified by its content (the `profile_id` label), so one sent
 * twice (resent after the agent restarted, or both sent and spooled) is stored once.
 */
export async function ingestChunk(store: Store, recorded: RecordedProfile): Promise<Omit<IngestProfileResult, 'stop'>> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(recorded.labels)) labels[labelKey(key)] = value;
  if (recorded.droppedChunks > 0) {
    log('warn', `the probe in pid ${labels['pid'] ?? '?'} dropped ${recorded.droppedChunks} chunk(s) while the agent was away`);
  }
  const name = `${labels['runtime'] ?? 'probe'} pid ${labels['pid'] ?? '?'}`;
  const imported = await importProfileBytes(store, recorded.bytes, name, labels, { anchor: { startMs: recorded.startMs } });
  return { rows: imported.rows, profileId: imported.profileId, alreadyStored: imported.alreadyStored };
}
