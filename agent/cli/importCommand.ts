import { basename } from 'node:path';
import { importProfileFile } from '../import/importFile';
import { describeCliError } from './cliErrors';
import type { StoreWait } from './storeWait';
import { openWritableStore } from './writableStore';

export interface ImportOptions {
  store: string;
  files: string[];
  labels: Record<string, string>;
  wait: StoreWait;
}

/**
 * `icicle import FILE…`: each file is detected, parsed and written to the store with the labels `source` (its
 * name), `format` and `profile_id` (a hash of its content, so importing a file twice keeps one copy), plus the
 * user's. A file that cannot be read is reported and the others still go in; the exit code says whether all did.
 */
export async function importCommand(options: ImportOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const store = await openWritableStore(options.store, `icicle import (pid ${process.pid})`, options.wait, err);
  let failed = 0;
  try {
    for (const file of options.files) {
      try {
        const result = await importProfileFile(store, file, basename(file), options.labels);
        out(result.alreadyStored ? `${file}: already in the store (profile ${result.profileId})` : `${file}: ${result.format}, ${result.rows} rows (profile ${result.profileId})`);
        // What the importer skipped is said, so that a count the user checks against the tool that wrote it adds up.
        if (!result.alreadyStored) for (const note of result.notes) err(`${file}: ${note}`);
      } catch (error) {
        failed++;
        err(`${file}: ${describeCliError(error, options.store)}`);
      }
    }
  } finally {
    await store.close();
  }
  return failed === 0 ? 0 : 1;
}
