// A mocha reporter: mocha's spec output, plus the pass and fail counts written to the JSON file named by
// ICICLE_RESULTS_FILE, which test/runAllTiers.mjs sums into the final "N passed, N failed" line.
// It is CommonJS and plain JavaScript because mocha loads reporters by path, in the extension host too.
const fs = require('fs');
const Mocha = require('mocha');

class TallyReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.ICICLE_RESULTS_FILE;
      if (!file) return;
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      fs.writeFileSync(file, JSON.stringify({ passed: passes, failed: failures, pending }));
    });
  }
}

module.exports = TallyReporter;
