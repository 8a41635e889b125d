// Keeps about 44 MB allocated by keepMany and 4.4 MB by keepFew reachable until the end (a global), so that
// `node --heap-prof`, which writes only what is still alive when the program ends, records both: in the golden,
// keepMany is about 10 times keepFew. Made with:
//   node --heap-prof --heap-prof-interval=65536 retains.js   (Node 20.20.2)
globalThis.kept = [];
function keepMany() { for (let i = 0; i < 100_000; i++) globalThis.kept.push(new Array(50).fill(i)); }
function keepFew() { for (let i = 0; i < 10_000; i++) globalThis.kept.push(new Array(50).fill(i)); }
keepMany();
keepFew();
