// Prints the size of a .vsix and what it contains, and fails when it is over the 5 MB budget or carries
// files that should not ship (sources, maps, tests, node_modules).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const file = process.argv[2];
const bytes = statSync(file).size;
const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
const entries = listing.split('\n').map(line => line.trim().split(/\s+/).slice(3).join(' ')).filter(name => name.startsWith('extension/'));
console.log(entries.map(name => `  ${name}`).join('\n'));
console.log(`${file}: ${(bytes / 1024 / 1024).toFixed(2)} MB, ${entries.length} files`);
const unwanted = entries.filter(name => /\.(ts|map)$|node_modules|\/test\//.test(name));
if (unwanted.length > 0) {
  console.error(`the package carries files it should not: ${unwanted.join(', ')}`);
  process.exit(1);
}
if (bytes > 5 * 1024 * 1024) {
  console.error('the package is over the 5 MB budget');
  process.exit(1);
}
