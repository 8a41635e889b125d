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
});
