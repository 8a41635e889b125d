import type { Data } from 'apache-arrow';

/**
 * The part-wide label ids (LabelInterner) of a batch dictionary's entries, kept beside the dictionary's Arrow data
 * rather than in it: Arrow has no place for them, and only a flush needs them. The active part's columns know each
 * entry's id (codeOfPart); the flush carries them to the block worker, which merges the batches' dictionaries by id,
 * a typed-array lookup per entry, instead of decoding every string and looking it up in a map (issue 21: a million
 * trace ids a block). A dictionary without ids (a block read back, a batch sent as Arrow IPC) is merged by string.
 */
const idsOf = new WeakMap<Data, Int32Array>();

/** Records that entry `code` of `dictionary` has part-wide id `ids[code]` (ids.length is the dictionary's size). */
export function setDictionaryPartIds(dictionary: Data, ids: Int32Array): void {
  idsOf.set(dictionary, ids);
}

/** The part-wide ids of a dictionary's entries, if it has them. */
export function dictionaryPartIds(dictionary: Data): Int32Array | undefined {
  const ids = idsOf.get(dictionary);
  return ids && ids.length === dictionary.length ? ids : undefined;
}
