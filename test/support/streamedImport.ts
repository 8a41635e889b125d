import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parseProfileBytes } from '../../agent/import/detectFormat';
import { importProfileBytes, importProfileFile, profileIdOf } from '../../agent/import/importFile';
import { parseStreamedFile } from '../../agent/import/streamImport';
import { corpusDir } from './corpus';
import { fileAnchor } from '../../agent/import/timeAnchor';
import { Store } from '../../storage/store';

/** The two stores of checkStreamedImport, for a caller's own checks. */
export interface StreamedAndWhole {
  /** The file saved, as importProfileFile reads it. */
  path: string;
  streamed: Store;
  whole: Store;
}

/**
 * Saves `bytes` as `dir/name` and imports it into two fresh stores, once as a stream (whatever its size) and once
 * read whole, and checks that the two imports report the same rows and profile and that the streamed file is then
 * known as stored already. `more` runs the caller's own checks with both stores open; every store is closed after.
 */
export async function checkStreamedImport(dir: string, name: string, bytes: Buffer, more?: (stores: StreamedAndWhole) => Promise<void>): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const stores: Store[] = [];
  const open = async (sub: string): Promise<Store> => {
    const store = await Store.open(join(dir, sub));
    stores.push(store);
    return store;
  };
  try {
    const streamed = await open('streamed');
    const whole = await open('whole');
    const streamedImport = await importProfileFile(streamed, path, name, {}, { streamMinBytes: 0 });
    const wholeImport = await importProfileBytes(whole, bytes, name, {});
    assert.ok(streamedImport.rows > 0);
    assert.deepEqual({ ...streamedImport }, { ...wholeImport });
    const again = await importProfileFile(streamed, path, name, {}, { streamMinBytes: 0 });
    assert.equal(again.alreadyStored, true);
    assert.equal(again.profileId, wholeImport.profileId);
    await more?.({ path, streamed, whole });
  } finally {
    for (const store of stores) await store.close({ flush: false });
  }
}

/** What reading the file at `path` (holding `bytes`) whole gives: its parse, or the error a user would read. */
export function parseWhole(path: string, name: string, bytes: Buffer): ReturnType<typeof parseProfileBytes> | Error {
  try {
    return parseProfileBytes(bytes, name, fileAnchor(statSync(path).mtimeMs));
  } catch (error) {
    return error as Error;
  }
}

/** Every V8 profile of the corpus (and the generated tsc-small profile), with its bytes. */
export function v8Corpus(): { name: string; bytes: Buffer }[] {
  const folder = join(corpusDir(), 'cpuprofile');
  const files = readdirSync(folder)
    .filter(name => name.endsWith('.cpuprofile'))
    .sort()
    .map(name => ({ name, bytes: readFileSync(join(folder, name)) }));
  files.push({ name: 'tsc-small.cpuprofile', bytes: gunzipSync(readFileSync(join(corpusDir(), 'generated', 'tsc-small.cpuprofile.gz'))) });
  return files;
}

/**
 * Writes `bytes` as `dir/name` and checks that its streamed parse (parseStreamedFile with `options`) is the whole
 * file's parse, with the same profile_id.
 */
export async function assertStreamedAsWhole(dir: string, name: string, bytes: Buffer, options: Parameters<typeof parseStreamedFile>[2]): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const expected = parseWhole(path, name, bytes);
  assert.ok(!(expected instanceof Error), `${name}: ${(expected as Error).message}`);
  const streamed = await parseStreamedFile(path, name, options);
  assert.ok(streamed, `${name} was not streamed`);
  assert.deepEqual(streamed.parsed, expected, `${name}, ${JSON.stringify(options)}`);
  assert.equal(streamed.profileId, profileIdOf(bytes));
}
