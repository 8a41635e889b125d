'use strict';

// Deliberately slow: trial division by every number below n, where a sieve (below) or checking up to √n would do.
// In the flame graph this is the wide frame; click it to come back here.
function countPrimesNaive(limit) {
  let count = 0;
  for (let n = 2; n <= limit; n++) {
    let prime = true;
    for (let divisor = 2; divisor < n; divisor++) {
      if (n % divisor === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

// The same answer with the sieve of Eratosthenes: a sliver of the time.
function countPrimesSieve(limit) {
  const composite = new Uint8Array(limit + 1);
  let count = 0;
  for (let n = 2; n <= limit; n++) {
    if (composite[n]) continue;
    count++;
    for (let multiple = n * n; multiple <= limit; multiple += n) composite[multiple] = 1;
  }
  return count;
}

module.exports = { countPrimesNaive, countPrimesSieve };
