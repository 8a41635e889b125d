// A mocha root hook for every tier (test/runAllTiers.mjs): once every test has run,
// it names what is still open (sockets, child processes, timers) on stderr, so a test that leaks one is found,
// while the tier runs with --exit so that such a leak cannot hang CI.
exports.mochaHooks = {
  afterAll() {
    const handles = process._getActiveHandles().filter(h => h !== process.stdout && h !== process.stderr && h !== process.stdin);
    if (handles.length === 0) return;
    const described = handles.map(h => {
      const name = h.constructor ? h.constructor.name : typeof h;
      const detail = h.spawnfile ? ` ${h.spawnfile} pid ${h.pid}` : h.remoteAddress || h._pipeName || h.path || '';
      return `${name}${detail ? ` (${detail})` : ''}`;
    });
    process.stderr.write(`[mocha] still open after the last test: ${described.join(', ')}\n`);
  },
};
