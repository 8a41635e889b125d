/**
 * The idempotency keys of the transactions a store holds (Store.writeTransaction), with their tx ids, and the keys
 * of transactions being written. Keys come back on open from the manifest (the newest KEPT of those checkpointed)
 * and from the write-ahead log (every record after the checkpoint carries its own key).
 *
 * Only the newest KEPT keys survive a checkpoint: a key exists to catch the same transaction sent again (a probe's
 * chunk resent after the agent restarted, or both sent and spooled at the program's exit), which happens within
 * seconds or at the agent's next start, not after thousands of later transactions. The bound keeps the manifest,
 * rewritten at every checkpoint, small (about 60 bytes a key).
 */
export class WriteKeys {
  static readonly KEPT = 10_000;
  static readonly MAX_KEY_LENGTH = 256;
  /** Key → tx id, in the order they were stored. */
  private readonly txIds = new Map<string, number>();
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(kept: readonly (readonly [string, number])[]) {
    for (const [key, txId] of kept) this.txIds.set(key, txId);
  }

  /** Refuses a key that is not a short string: it is stored in every checkpoint. */
  static check(key: string): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > WriteKeys.MAX_KEY_LENGTH) {
      throw new Error(`an idempotency key is 1 to ${WriteKeys.MAX_KEY_LENGTH} characters`);
    }
  }

  txOf(key: string): number | undefined {
    return this.txIds.get(key);
  }

  /** The write in progress with this key, if any. */
  pending(key: string): Promise<unknown> | undefined {
    return this.writing.get(key);
  }

  /** Marks the key as being written until `write` settles; the caller calls `stored` when it succeeds. */
  claim(key: string, write: Promise<unknown>): void {
    this.writing.set(key, write);
    const release = (): void => {
      if (this.writing.get(key) === write) this.writing.delete(key);
    };
    write.then(release, release);
  }

  stored(key: string, txId: number): void {
    this.txIds.delete(key);
    this.txIds.set(key, txId);
  }

  /** The newest KEPT keys of transactions up to `txId`, oldest first, as the manifest records them. */
  keptThrough(txId: number): [string, number][] {
    const through = [...this.txIds].filter(([, tx]) => tx <= txId).sort((a, b) => a[1] - b[1]);
    return through.slice(Math.max(0, through.length - WriteKeys.KEPT));
  }

  /** Forgets the keys the manifest no longer keeps once more than KEPT are checkpointed, bounding memory. */
  forgetBeyondKept(checkpointTxId: number): void {
    const checkpointed = [...this.txIds].filter(([, tx]) => tx <= checkpointTxId).sort((a, b) => a[1] - b[1]);
    for (const [key] of checkpointed.slice(0, Math.max(0, checkpointed.length - WriteKeys.KEPT))) this.txIds.delete(key);
  }
}
