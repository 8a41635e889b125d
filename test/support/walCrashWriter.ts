// A child process for the crash test: appends records as fast as it can and prints "ack <txId> <seq>" on
// stdout after each append resolves (is durable), until it is killed.
import { WriteAheadLog } from '../../storage/wal/writeAheadLog';

async function main(): Promise<void> {
  const { wal, records } = await WriteAheadLog.open(process.argv[2]!);
  let seq = records.length;
  process.stdout.write(`open ${records.length}\n`);
  for (;;) {
    // Several appends in flight at once, so that group commit batches them.
    const batch = Array.from({ length: 1 + (seq % 7) }, () => {
      const mySeq = seq++;
      const payload = Buffer.from(JSON.stringify({ seq: mySeq, filler: 'x'.repeat(mySeq % 500) }));
      return wal.append(payload).then(txId => process.stdout.write(`ack ${txId} ${mySeq}\n`));
    });
    await Promise.all(batch);
  }
}

void main();
