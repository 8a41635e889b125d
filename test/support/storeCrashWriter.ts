import { Store } from '../../storage/store';
import { stackOf } from './sampleData';

/**
 * Child process for the store's crash test: writes continuously (several writes in flight, so group commit is
 * exercised) with a tiny active part, so flushes, checkpoints and compactions happen while it is killed.
 * Prints `ack <seq> <rows>` once a write is acknowledged; the parent kills it with SIGKILL at a random moment.
 */
const directory = process.argv[2]!;
const firstSeq = Number(process.argv[3]);

async function main(): Promise<void> {
  const store = await Store.open(directory, { activePartBytes: 64 * 1024, compactBelowRows: 4096, owner: `crash writer ${process.pid}` });
  const stacks = ['main;a', 'main;b;c', 'main;b;d', 'idle'].map(path => stackOf(store, path));
  let seq = firstSeq;
  const writeOne = async (): Promise<void> => {
    const mine = seq++;
    const rows = 1 + ((mine * 7919) % 300);
    await store.write({
      profileType: 'cpu:samples:count:cpu:nanoseconds',
      labels: { seq: String(mine) },
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
