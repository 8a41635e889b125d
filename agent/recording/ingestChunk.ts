import type { IngestProfileParams, IngestProfileResult } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { importProfileBytes } from '../import/importFile';
import { labelKey } from '../import/importedProfile';
import { log } from '../log';

/**
 * Stores one chunk recorded by a probe, whether it arrived over the socket or from the spool directory. A chunk is
 * identified by its content (the `profile_id` label), so a chunk sent twice (resent after the agent restarted,
 * or both sent and spooled) is stored once.
 */
export async function ingestChunk(store: Store, params: IngestProfileParams): Promise<IngestProfileResult> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(params.labels)) labels[labelKey(key)] = value;
  if (params.droppedChunks > 0) {
    log('warn', `the probe in pid ${labels['pid'] ?? '?'} dropped ${params.droppedChunks} chunk(s) while the agent was away`);
  }
  const name = `${labels['runtime'] ?? 'probe'} pid ${labels['pid'] ?? '?'}`;
  const imported = await importProfileBytes(store, Buffer.from(params.profile, 'utf8'), name, labels, { startMs: params.startMs });
  return { rows: imported.rows, profileId: imported.profileId, alreadyStored: imported.alreadyStored, stop: false };
}
