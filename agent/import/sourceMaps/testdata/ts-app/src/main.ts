import { spinPrimes } from './hot';

// Runs for about 300 ms so that a real CPU profile has many samples in spinPrimes, called from runForAWhile.
function runForAWhile(milliseconds: number): number {
  const deadline = Date.now() + milliseconds;
  let total = 0;
  while (Date.now() < deadline) total += spinPrimes(20000);
  return total;
}

console.log(runForAWhile(300));
