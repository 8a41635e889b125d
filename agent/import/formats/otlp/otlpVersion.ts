/**
 * The one version of OpenTelemetry's profiles protocol Icicle reads and writes: `profiles.proto` of the development
 * package `opentelemetry.proto.profiles.v1development`, as opentelemetry-proto release v1.11.0 has it (commit
 * 790608c4d51e6ffc12210b541e8514cbed9e91a4, 2026-07-21; unchanged on main since). The package is not yet stable: its
 * messages changed shape in most releases before this one (v1.3's ProfileContainer, v1.7's shared dictionary,
 * v1.9's stack table, a single sample type), and a file of another version is refused or misread, so the version is
 * named wherever the format is (README's formats, the export's messages).
 */
export const OTLP_PROFILES_VERSION = {
  release: 'v1.11.0',
  commit: '790608c4d51e6ffc12210b541e8514cbed9e91a4',
  proto: 'opentelemetry/proto/profiles/v1development/profiles.proto',
} as const;
