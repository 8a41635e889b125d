'use strict';

// The demo program: counts primes twice, naively and with a sieve, and prints one line.
// Record a profile of it with:  node --cpu-prof --cpu-prof-dir profiles src/main.js
const { countPrimesNaive, countPrimesSieve } = require('./primes');
const { formatReport } = require('./format');

const limit = Number(process.argv[2] ?? 60_000);
const naive = countPrimesNaive(limit);
const sieve = countPrimesSieve(limit);
if (naive !== sieve) throw new Error(`the two counts differ: ${naive} and ${sieve}`);
console.log(formatReport(limit, naive));
