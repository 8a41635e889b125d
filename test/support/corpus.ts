import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the shared corpus of real profiles is. The corpus is not copied into the repository; it sits beside
 * the working copy on the development machines (`../shared/corpus`), but CI clones the repository elsewhere.
 * So: ICICLE_CORPUS_DIR when set, else the nearest `shared/corpus` in this folder's ancestors, else the
 * machines' fixed location. A missing corpus is an error that says where it looked.
 */
export function corpusDir(): string {
  const candidates: string[] = [];
  if (process.env['ICICLE_CORPUS_DIR']) candidates.push(resolve(process.env['ICICLE_CORPUS_DIR']));
  for (let dir = resolve(__dirname); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'shared', 'corpus'), join(dir, '..', 'shared', 'corpus'));
    if (dirname(dir) === dir) break;
  }
  candidates.push('/work/shared/corpus');
  const found = candidates.find(dir => existsSync(join(dir, 'SOURCES.md')));
  if (!found) throw new Error(`the profile corpus was not found (set ICICLE_CORPUS_DIR); looked in ${[...new Set(candidates)].join(', ')}`);
  return found;
}
