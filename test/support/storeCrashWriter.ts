import { Store } from '../../storage/store';
import { stackOf } from './sampleData';

/**
 * Child process for the store's crash test: writes continuously (several writes in flight, so group commit is
 * exercised) with a tiny active part, so flushes, checkpoints and compactions happen while it is killed.
 * Prints `ack <seq> <rows>` once a write is acknowledged; the parent kills it with SIGKILL at a random moment.
 * With `split` (argv[4]), every other write has one more label key, so that each part holds two batches, and small
 * blocks are allowed: the parts, filled in bursts, are encoded in halves by two block workers at once.
 */
const directory = process.argv[2]!;
const firstSeq = Number(process.argv[3]);
const split = process.argv[4] === 'split';

async function main(): Promise<void> {
  const store = await Store.open(directory, { activePartBytes: 64 * 1024, compactBelowRows: split ? 256 : 4096, owner: `crash writer ${process.pid}` });
  const stacks = ['main;a', 'main;b;c', 'main;b;d', 'idle'].map(path => stackOf(store, path));
  let seq = firstSeq;
  const writeOne = async (): Promise<void> => {
    const mine = seq++;
    const rows = 1 + ((mine * 7919) % 300);
    await store.write({
      profileType: 'cpu:samples:count:cpu:nanoseconds',
      labels: split && mine % 2 === 1 ? { seq: String(mine), half: 'b' } : { seq: String(mine) },
      timestamps: Array.from({ length: rows }, (_, i) => 1_700_000_000_000 + mine * 1000 + i),
      values: Array.from({ length: rows }, () => mine),
      stackIds: Array.from({ length: rows }, (_, i) => stacks[(mine + i) % stacks.length]!),
    });
    process.stdout.write(`ack ${mine} ${rows}\n`);
  };
  let writes = 0;
  for (;;) {
    await Promise.all([writeOne(), writeOne(), writeOne(), writeOne()]);
    if (++writes % 25 === 0) void store.compact();
  }
}

void main();
