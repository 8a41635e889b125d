'use strict';

// Cheap: called once, so it barely shows in the profile.
function formatReport(limit, count) {
  return `${count} primes up to ${limit}`;
}

module.exports = { formatReport };
