// A program for the exactly-once trials: waits `startMs` (the probe connects meanwhile, or not), computes for
// `busyMs` in `slices` stretches that never yield within a stretch, `gapMs` apart, then keeps running `tailMs`
// before it exits.
const [startMs, busyMs, slices, gapMs, tailMs] = process.argv.slice(2).map(Number);
let x = 0;
function spin(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) x += Math.sqrt(x + 1);
}
function slice(left) {
  spin(busyMs / slices);
  if (left > 1) setTimeout(() => slice(left - 1), gapMs);
  else if (tailMs > 0) {
    const alive = setInterval(() => undefined, 1000);
    setTimeout(() => clearInterval(alive), tailMs);
  }
}
setTimeout(() => slice(slices), startMs);
