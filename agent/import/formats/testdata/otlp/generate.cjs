// Writes spans.otlp.pb from spans.otlp.json with protobufjs, an implementation of protobuf independent of Icicle's,
// from the pinned .proto files under proto/ (opentelemetry-proto v1.11.0, Apache-2.0), so that the OTLP reader is
// checked against bytes Icicle's own writer did not make. Not run by the tests: the .pb is committed.
//   node generate.cjs [path/to/node_modules/protobufjs]
// protobufjs 7.6.6 was the one used (test/fixtures/otelServer's, a dependency of the OpenTelemetry SDK).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const protobuf = require(process.argv[2] ?? join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'otelServer', 'node_modules', 'protobufjs'));

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(__dirname, 'proto', target);
root.loadSync('opentelemetry/proto/profiles/v1development/profiles.proto', { keepCase: false });
const ProfilesData = root.lookupType('opentelemetry.proto.profiles.v1development.ProfilesData');

const json = JSON.parse(readFileSync(join(__dirname, 'spans.otlp.json'), 'utf8'));
// OTLP/JSON writes trace and span ids in hex; protobufjs's JSON mapping expects base64 for bytes.
for (const link of json.dictionary.linkTable) {
  link.traceId = Buffer.from(link.traceId, 'hex');
  link.spanId = Buffer.from(link.spanId, 'hex');
}
const message = ProfilesData.fromObject(json);
const problem = ProfilesData.verify(message);
if (problem) throw new Error(problem);
writeFileSync(join(__dirname, 'spans.otlp.pb'), ProfilesData.encode(message).finish());
