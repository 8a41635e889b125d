import { emptyDictionary, type OtlpAnyValue, type OtlpData, type OtlpKeyValueAndUnit, type OtlpProfile, type OtlpSample, type OtlpValueType } from './otlpDecode';

/**
 * OTLP/JSON profiles (the OTLP specification's JSON encoding of the same messages, otlpVersion.ts) into the decoded
 * form otlp.ts converts: protobuf's JSON mapping (lowerCamelCase keys, the proto's own snake_case names accepted too;
 * 64-bit integers as strings or numbers; bytes as base64) except that trace and span ids are hex, as OTLP requires.
 * Errors are thrown as an Error whose message is a phrase naming the field.
 */
export function otlpJsonToData(json: unknown): OtlpData {
  const root = object(json, 'the file');
  const d = object(field(root, 'dictionary') ?? {}, 'the dictionary');
  const dictionary = emptyDictionary();
  dictionary.strings = list(field(d, 'stringTable'), 'the string table').map((s, i) => string(s, `string ${i}`));
  dictionary.mappings = list(field(d, 'mappingTable'), 'the mapping table').map((m, i) => ({ filename: int(field(object(m, `mapping ${i}`), 'filenameStrindex'), `mapping ${i}'s file name`) }));
  dictionary.functions = list(field(d, 'functionTable'), 'the function table').map((f, i) => {
    const o = object(f, `function ${i}`);
    return { name: int(field(o, 'nameStrindex'), `function ${i}'s name`), systemName: int(field(o, 'systemNameStrindex'), `function ${i}'s system name`), filename: int(field(o, 'filenameStrindex'), `function ${i}'s file`), startLine: int(field(o, 'startLine'), `function ${i}'s start line`) };
  });
  dictionary.locations = list(field(d, 'locationTable'), 'the location table').map((l, i) => {
    const o = object(l, `location ${i}`);
    return {
      mappingIndex: int(field(o, 'mappingIndex'), `location ${i}'s mapping`),
      address: int(field(o, 'address'), `location ${i}'s address`),
      lines: list(field(o, 'lines'), `location ${i}'s lines`).map((line, k) => {
        const lo = object(line, `a line of location ${i}`);
        return { functionIndex: int(field(lo, 'functionIndex'), `line ${k} of location ${i}`), line: int(field(lo, 'line'), `line ${k} of location ${i}`), column: int(field(lo, 'column'), `line ${k} of location ${i}`) };
      }),
    };
  });
  dictionary.links = list(field(d, 'linkTable'), 'the link table').map((l, i) => {
    const o = object(l, `link ${i}`);
    return { traceId: hexBytes(field(o, 'traceId'), `link ${i}'s trace id`), spanId: hexBytes(field(o, 'spanId'), `link ${i}'s span id`) };
  });
  dictionary.attributes = list(field(d, 'attributeTable'), 'the attribute table').map((a, i): OtlpKeyValueAndUnit => {
    const o = object(a, `attribute ${i}`);
    return { key: int(field(o, 'keyStrindex'), `attribute ${i}'s key`), value: anyValue(field(o, 'value'), `attribute ${i}'s value`, 0), unit: int(field(o, 'unitStrindex'), `attribute ${i}'s unit`) };
  });
  dictionary.stacks = list(field(d, 'stackTable'), 'the stack table').map((s, i) => list(field(object(s, `stack ${i}`), 'locationIndices'), `stack ${i}`).map(n => int(n, `stack ${i}`)));

  const profiles: OtlpProfile[] = [];
  for (const [r, rp] of list(field(root, 'resourceProfiles'), 'resourceProfiles').entries()) {
    const ro = object(rp, `resource ${r}`);
    const resource = field(ro, 'resource');
    const resourceAttributes = resource === undefined ? [] : keyValues(field(object(resource, `resource ${r}`), 'attributes'), `resource ${r}'s attributes`, 0);
    for (const [s, sp] of list(field(ro, 'scopeProfiles'), `resource ${r}'s scopes`).entries()) {
      const so = object(sp, `scope ${s}`);
      const scope = field(so, 'scope');
      const scopeAttributes: [string | number, OtlpAnyValue][] = [];
      if (scope !== undefined) {
        const sc = object(scope, `scope ${s}`);
        const name = field(sc, 'name');
        const version = field(sc, 'version');
        if (name !== undefined) scopeAttributes.push(['otel.scope.name', string(name, "the scope's name")]);
        if (version !== undefined) scopeAttributes.push(['otel.scope.version', string(version, "the scope's version")]);
        scopeAttributes.push(...keyValues(field(sc, 'attributes'), `scope ${s}'s attributes`, 0));
      }
      for (const [p, pv] of list(field(so, 'profiles'), `scope ${s}'s profiles`).entries()) {
        const po = object(pv, `profile ${p}`);
        const what = `profile ${p}`;
        profiles.push({
          sampleType: valueType(field(po, 'sampleType'), `${what}'s sample type`),
          samples: list(field(po, 'samples'), `${what}'s samples`).map((x, i) => sample(x, `sample ${i} of ${what}`)),
          timeUnixNano: int(field(po, 'timeUnixNano'), `${what}'s time`),
          durationNano: int(field(po, 'durationNano'), `${what}'s duration`),
          periodType: valueType(field(po, 'periodType'), `${what}'s period type`),
          period: int(field(po, 'period'), `${what}'s period`),
          attributeIndices: list(field(po, 'attributeIndices'), `${what}'s attributes`).map(n => int(n, `${what}'s attributes`)),
          resourceAttributes: [...resourceAttributes, ...scopeAttributes],
        });
      }
    }
  }
  return { dictionary, profiles };
}

/** Whether parsed JSON is OTLP profiles data: an object with `resourceProfiles` and a `dictionary` (their shapes are the reader's to check). */
export function looksLikeOtlpJson(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  return field(o, 'resourceProfiles') !== undefined && field(o, 'dictionary') !== undefined;
}

/** A field by its JSON name (lowerCamelCase), or by the proto's own name (snake_case), as protobuf's JSON allows. */
function field(o: Record<string, unknown>, camel: string): unknown {
  return o[camel] ?? o[camel.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`)];
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v;
}

function string(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a string`);
  return v;
}

/** An integer field: a number, or a decimal string (64-bit integers); absent is 0. */
function int(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d{1,20}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new Error(`${what} is not an integer`);
  return n;
}

function hexBytes(v: unknown, what: string): Uint8Array {
  if (v === undefined || v === null || v === '') return new Uint8Array(0);
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2}){1,64}$/.test(v)) throw new Error(`${what} is not a hex string`);
  return Buffer.from(v, 'hex');
}

function valueType(v: unknown, what: string): OtlpValueType | undefined {
  if (v === undefined || v === null) return undefined;
  const o = object(v, what);
  return { type: int(field(o, 'typeStrindex'), what), unit: int(field(o, 'unitStrindex'), what) };
}

function sample(v: unknown, what: string): OtlpSample {
  const o = object(v, what);
  return {
    stackIndex: int(field(o, 'stackIndex'), `${what}'s stack`),
    attributeIndices: list(field(o, 'attributeIndices'), `${what}'s attributes`).map(n => int(n, `${what}'s attributes`)),
    linkIndex: int(field(o, 'linkIndex'), `${what}'s link`),
    values: list(field(o, 'values'), `${what}'s values`).map(n => int(n, `${what}'s values`)),
    timestamps: list(field(o, 'timestampsUnixNano'), `${what}'s timestamps`).map(n => int(n, `${what}'s timestamps`)),
  };
}

function keyValues(v: unknown, what: string, depth: number): [string | number, OtlpAnyValue][] {
  return list(v, what).map(kv => {
    const o = object(kv, what);
    const key = field(o, 'key');
    return [key === undefined ? int(field(o, 'keyStrindex'), what) : string(key, what), anyValue(field(o, 'value'), what, depth + 1)];
  });
}

function anyValue(v: unknown, what: string, depth: number): OtlpAnyValue {
  if (v === undefined || v === null) return undefined;
  if (depth > 16) throw new Error(`${what} nests more than 16 deep`);
  const o = object(v, what);
  if (field(o, 'stringValue') !== undefined) return string(field(o, 'stringValue'), what);
  if (field(o, 'boolValue') !== undefined) return field(o, 'boolValue') === true;
  if (field(o, 'intValue') !== undefined) return int(field(o, 'intValue'), what);
  if (field(o, 'doubleValue') !== undefined) {
    const n = Number(field(o, 'doubleValue'));
    if (Number.isNaN(n) && field(o, 'doubleValue') !== 'NaN') throw new Error(`${what} is not a number`);
    return n;
  }
  if (field(o, 'bytesValue') !== undefined) return Buffer.from(string(field(o, 'bytesValue'), what), 'base64');
  if (field(o, 'stringValueStrindex') !== undefined) return { strindex: int(field(o, 'stringValueStrindex'), what) };
  const array = field(o, 'arrayValue');
  if (array !== undefined) return list(field(object(array, what), 'values'), what).map(x => anyValue(x, what, depth + 1));
  const kvlist = field(o, 'kvlistValue');
  if (kvlist !== undefined) return { kvlist: keyValues(field(object(kvlist, what), 'values'), what, depth + 1) };
  return undefined;
}
