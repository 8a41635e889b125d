// A busy Node program for the soak: a loop of "requests" of several kinds, each with its own call path and depth,
// so the profile holds many distinct stacks, as a real server's does. It runs until it is killed, or for the
// milliseconds given as its argument and then prints "done".
'use strict';

const kinds = [
  function parseJson(n) { let total = 0; for (let i = 0; i < n; i++) total += JSON.parse(JSON.stringify({ i, list: [i, i + 1, 'x'.repeat(i % 50)] })).list.length; return total; },
  function sortNumbers(n) { const values = Array.from({ length: n * 4 }, (_, i) => (i * 7919) % 1009); values.sort((a, b) => a - b); return values[0]; },
  function matchText(n) { let hits = 0; const re = /(\w+)@(\w+)\.com/; for (let i = 0; i < n; i++) if (re.test(`user${i}@host${i % 7}.com`)) hits++; return hits; },
  function hashStrings(n) { let h = 0; for (let i = 0; i < n * 20; i++) h = (h * 31 + i) | 0; return h; },
];

/** Recursion gives each request a depth between 1 and 8, so the same leaf appears under many paths. */
function route(depth, kind, n) {
  if (depth === 0) return kind(n);
  return depth % 2 === 0 ? middlewareA(depth - 1, kind, n) : middlewareB(depth - 1, kind, n);
}
function middlewareA(depth, kind, n) { return route(depth, kind, n); }
function middlewareB(depth, kind, n) { return route(depth, kind, n); }

const endAt = process.argv[2] === undefined ? Infinity : Date.now() + Number(process.argv[2]);
let request = 0;
function serveSlice() {
  const until = Math.min(endAt, Date.now() + 20);
  while (Date.now() < until) {
    request++;
    route(request % 8, kinds[request % kinds.length], 50 + (request % 100));
  }
  if (Date.now() < endAt) setImmediate(serveSlice);
  else console.log('done');
}
serveSlice();
