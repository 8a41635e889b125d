import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_ENV } from '../../common/protocol/probeProtocol';
import { PROBE_SETTINGS, probeEnvironment, type ProbeTarget } from './probeEnvironment';

const target: ProbeTarget = { probeModule: '/ext/out/agent/nodeProbe.js', socketPath: '/tmp/a.sock', spoolDirectory: '/tmp/spool', intervalMicros: 1000 };

describe('the probe environment of a profiled run', () => {
  it('turns allocation sampling on only when icicle.profile.allocations is', () => {
    assert.equal(probeEnvironment(target, {}, undefined)[PROBE_ENV.allocations], undefined);
    assert.equal(probeEnvironment({ ...target, allocations: false }, {}, undefined)[PROBE_ENV.allocations], undefined);
    assert.equal(probeEnvironment({ ...target, allocations: true }, {}, undefined)[PROBE_ENV.allocations], '1');
  });

  it('every setting the probe reads is one the extension declares, boolean or number', () => {
    const declared = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { type: string }> } } })
      .contributes.configuration.properties;
    for (const setting of PROBE_SETTINGS) assert.ok(['boolean', 'integer', 'number'].includes(declared[setting]?.type ?? ''), `${setting} is not declared in package.json`);
    assert.equal((declared['icicle.profile.allocations'] as { default?: unknown }).default, false);
  });
});
