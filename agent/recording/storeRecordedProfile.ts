import type { IngestProfileParams, IngestProfileResult, RecordedProfileInfo, SampleLabelSets } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import type { ParsedFile } from '../import/detectFormat';
import { parseProfileBytes } from '../import/detectFormat';
import { withFramesFromCpuProfile } from '../import/formats/heapprofile/framesFromCpuProfile';
import { ALLOCATED_BYTES, heapProfileToImported } from '../import/formats/heapprofile/heapProfile';
import { cpuProfileToImported } from '../import/formats/v8/cpuprofileImport';
import { parsePerfScript } from '../import/formats/perf/perfScript';
import { separateIdle } from '../import/idleTime';
import { spanWallsToImported } from '../import/spanWallTime';
import { labelKey, type ImportedProfile } from '../import/importedProfile';
import { profileIdOf, storeParsedProfile } from '../import/importFile';
import { placeProfiles, type TimeAnchor } from '../import/timeAnchor';
import { gunzipIfCompressed } from '../readProfileFile';
import { SourceMapResolver } from '../import/sourceMaps/sourceMapResolver';
import { log } from '../log';

/** The internal label holding a probe chunk's key on its rows: which chunk each sample came in. */
export const CHUNK_LABEL = '__chunk';

/**
 * A profile recorded while a program ran: a probe's V8 chunk or a perf window, each in the format it is known to be
 * in (IngestProfileParams), or a scraped endpoint's answer, whose format only its content tells (`unknown`: read as
 * a file is, by recognising it).
 */
export type RecordedProfile = IngestProfileParams | ({ format: 'unknown'; bytes: Buffer } & RecordedProfileInfo);

/**
 * Stores one recorded profile exactly once, whether a probe's chunk arrived over the socket or from the spool, or a
 * collector of the agent's own recorded it: it is one store transaction with an idempotency key, the probe's chunk
 * key (`__chunk` on its rows) or else its content hash, which the store checks in the same step as it writes. So a
 * chunk sent twice (resent after the agent restarted, or sent and spooled at the program's exit, both arriving at
 * once) is stored once. The key is looked up first, so a copy already stored costs a lookup, not a parse.
 *
 * `sourceMaps` is the recording's resolver, kept across its chunks (RecordingSourceMaps), so a script's map is read
 * once per recording rather than once per chunk; by default one for this profile alone.
 */
export async function storeRecordedProfile(store: Store, given: RecordedProfile, sourceMaps = new SourceMapResolver()): Promise<Omit<IngestProfileResult, 'stop'>> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(given.labels)) labels[labelKey(key)] = value;
  if (given.droppedChunks > 0) {
    log('warn', `the probe in pid ${labels['pid'] ?? '?'} dropped ${given.droppedChunks} chunk(s) while the agent was away`);
  }
  const name = `${labels['runtime'] ?? 'probe'} pid ${labels['pid'] ?? '?'}`;
  // Bytes of an unknown format may be gzip (a scraped pprof): decompressed once, for their hash and their reader.
  const recorded = given.format === 'unknown' ? { ...given, bytes: gunzipIfCompressed(given.bytes, name) } : given;
  if (recorded.chunkKey !== undefined) labels[CHUNK_LABEL] = recorded.chunkKey;
  // A chunk's profile_id is named by its key, which every copy shares; a profile without one by its content.
  const keyed = recorded.chunkKey !== undefined;
  const profileId = profileIdOf(keyed ? Buffer.from(`chunk:${recorded.chunkKey}`, 'utf8') : contentOf(recorded));
  const idempotencyKey = keyed ? `chunk:${recorded.chunkKey}` : `profile:${profileId}`;
  if ((await store.storedTransaction(idempotencyKey)) !== undefined) return { rows: 0, profileId, alreadyStored: true };
  const parsed = readRecorded(recorded, name, { startMs: recorded.startMs });
  const stored = await storeParsedProfile(store, parsed, { displayName: name, profileId, labels, sourceMaps, idempotencyKey });
  return { rows: stored.rows, profileId, alreadyStored: stored.alreadyStored };
}

/** The bytes a profile without a chunk key is known by: those it was recorded as. */
function contentOf(recorded: RecordedProfile): Buffer {
  switch (recorded.format) {
    case 'v8':
      // Only chunks from senders without keys (tests, scripts): the probe's own JSON text of the profile.
      if (recorded.spanWalls !== undefined) return Buffer.from(JSON.stringify([recorded.profile, recorded.heapProfile ?? null, recorded.spanWalls]), 'utf8');
      return Buffer.from(JSON.stringify(recorded.heapProfile === undefined ? recorded.profile : [recorded.profile, recorded.heapProfile]), 'utf8');
    case 'perf':
      return Buffer.from(recorded.text, 'utf8');
    case 'unknown':
      return recorded.bytes;
  }
}

/** Reads a recorded profile with its format's reader; only a profile of unknown format is recognised by content. */
function readRecorded(recorded: RecordedProfile, name: string, anchor: TimeAnchor): ParsedFile {
  switch (recorded.format) {
    case 'v8': {
      // A chunk with allocation sampling: its CPU profile and the bytes allocated meanwhile, in one transaction, the
      // allocations' frames named as the CPU profile names them.
      const cpu = withSampleLabels(cpuProfileToImported({ json: recorded.profile }, name), recorded.sampleLabels);
      const heap = recorded.heapProfile;
      const allocations = heap === undefined ? [] : [heapProfileToImported({ json: withFramesFromCpuProfile(heap, recorded.profile) }, name, ALLOCATED_BYTES)];
      // The spans that ended during the chunk: their wall time, in the same transaction, so each is stored once.
      const spanWalls = recorded.spanWalls && spanWallsToImported(recorded.spanWalls);
      if (recorded.spanWalls && recorded.spanWalls.dropped > 0) log('warn', `the probe in ${name} followed too many spans at once: ${recorded.spanWalls.dropped} span(s) got no wall time`);
      return known('cpuprofile', [cpu, ...allocations, ...(spanWalls ? [spanWalls] : [])], anchor, []);
    }
    case 'perf': {
      const notes: string[] = [];
      return known('perf-script', parsePerfScript(recorded.text, name, { notes }), anchor, notes);
    }
    case 'unknown':
      return parseProfileBytes(recorded.bytes, name, anchor);
  }
}

/**
 * A chunk's CPU samples with the labels the probe gave each (the OpenTelemetry span it ran in): one imported sample per
 * sample of the V8 profile, in order. Labels that do not match the samples in number are not the samples' and are
 * left out.
 */
function withSampleLabels(profile: ImportedProfile, given: SampleLabelSets | undefined): ImportedProfile {
  if (given === undefined || given.ofSample.length !== profile.sampleStacks.length) return profile;
  const sampleLabels = { ...profile.sampleLabels };
  const keys = new Set(given.sets.flatMap(set => Object.keys(set)));
  for (const key of keys) {
    const values = given.sets.map(set => set[key] ?? null);
    sampleLabels[labelKey(key)] = given.ofSample.map(set => (set >= 0 ? (values[set] ?? null) : null));
  }
  return { ...profile, sampleLabels };
}

/** As parseProfileBytes finishes a profile: placed in time, V8's idle samples split from CPU time. */
function known(format: ParsedFile['format'], profiles: ParsedFile['profiles'], anchor: TimeAnchor, notes: string[]): ParsedFile {
  return { format, profiles: placeProfiles(profiles, anchor).flatMap(separateIdle), notes };
}
