import * as assert from 'node:assert/strict';
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import * as protocol from './agentProtocol';

/**
 * AGENT_REQUESTS is what the agent's handler table is typed by: a request declared in agentProtocol.ts but left out
 * of it would compile and never be served, so this checks the list against the module's declarations.
 */
describe('the agent protocol', () => {
  const declared = (Object.values(protocol) as unknown[]).filter(
    (value): value is { method: string; type: unknown } => typeof value === 'object' && value !== null && 'method' in value && 'type' in value,
  );

  it('lists every request it declares in AGENT_REQUESTS, each with the schema of its answer', () => {
    const requests = declared.filter(value => value.type instanceof RequestType || value.type instanceof RequestType0);
    assert.ok(requests.length >= 18, `found ${requests.length} requests`);
    assert.deepEqual(requests.map(r => r.method).sort(), Object.keys(protocol.AGENT_REQUESTS).sort());
    for (const request of requests) assert.equal(protocol.AGENT_REQUESTS[request.method as keyof protocol.AgentRequests], request);
    for (const request of Object.values(protocol.AGENT_REQUESTS)) assert.ok(request.resultSchema, `${request.method} has no answer schema`);
  });

  it('gives every notification a schema for its parameters', () => {
    const notifications = declared.filter(value => value.type instanceof NotificationType);
    assert.ok(notifications.length >= 3);
    for (const notification of notifications) assert.ok('paramsSchema' in notification, `${notification.method} has no schema`);
  });

  it('accepts a chunk’s per-sample labels whose keys are labels’, and refuses the store’s own keys', () => {
    const chunk = (key: string): unknown => ({
      format: 'v8',
      profile: { nodes: [] },
      startMs: 0,
      labels: {},
      droppedChunks: 0,
      sampleLabels: { sets: [{ [key]: 'x' }], ofSample: [0, -1] },
    });
    assert.ok(protocol.IngestProfileRequest.paramsSchema.safeParse(chunk('trace_id')).success);
    assert.ok(!protocol.IngestProfileRequest.paramsSchema.safeParse(chunk('__chunk')).success, 'a key starting with two underscores');
    assert.ok(!protocol.IngestProfileRequest.paramsSchema.safeParse(chunk('http.route')).success, 'a key with a dot');
  });

  it('checks the spans\' wall times a chunk carries: labels by labels\' rules, a start and a length that are numbers', () => {
    const chunk = (span: Record<string, unknown>) => ({
      format: 'v8',
      profile: { nodes: [] },
      startMs: 0,
      labels: {},
      droppedChunks: 0,
      spanWalls: { spans: [{ labels: { trace_id: 'a' }, startMs: 1_700_000_000_000, wallNs: 5e6, ...span }], dropped: 0 },
    });
    const ok = (span: Record<string, unknown>) => protocol.IngestProfileRequest.paramsSchema.safeParse(chunk(span)).success;
    assert.ok(ok({}));
    assert.ok(!ok({ labels: { __chunk: 'x' } }), 'a key starting with two underscores');
    assert.ok(!ok({ wallNs: -1 }), 'a negative length');
    assert.ok(!ok({ wallNs: Number.POSITIVE_INFINITY }), 'an infinite length');
    assert.ok(!ok({ startMs: 'soon' }), 'a start that is not a number');
  });
});
