import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../durableFiles';
import { checksummedJson, parseChecksummedJson } from '../manifest';
import { MetadataStore, type MetadataChanges } from './metadataStore';

/**
 * The metadata snapshot written at each checkpoint, before the manifest that relies on it: every frame and stack
 * interned so far, so the write-ahead log segments it covers can be deleted.
 */
export async function writeMetadataFile(file: string, metadata: MetadataStore): Promise<void> {
  await writeFileDurably(file, Buffer.from(checksummedJson(metadata.changesSince(0, 0)), 'utf8'));
}

export async function readMetadataFile(file: string): Promise<MetadataStore> {
  const metadata = new MetadataStore();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return metadata;
    throw error;
  }
  metadata.apply(parseChecksummedJson<MetadataChanges>(text, file, body => body));
  return metadata;
}
