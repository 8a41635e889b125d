import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeProfileType, preferredProfileType, unitOf } from '../../../common/profileTypes';
import { formatSelector } from '../../../common/selector';
import { StoreReader } from '../../../storage/storeReader';
import { labelKeys, labelValues } from '../../queries/labels/labelQueries';
import { labelValuesByRecency } from '../../queries/labels/labelValuesByRecency';
import { recordedRuns } from '../../queries/runs/recordedRuns';
import { profileTypes } from '../../queries/selectionProfileTypes';
import { UsageError } from '../cliErrors';
import { formatValue } from '../queryContext';
import { answer, budgetShape, capped, guarded, quoted, UNTRUSTED_NOTE } from './toolAnswer';
import { typeField, type ToolContext } from './toolInputs';

/** `list_runs`: the store's profile types, recorded runs and label values, to build the other tools' selectors. */
export function registerListRuns(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list_runs',
    {
      title: 'Icicle runs and labels',
      description: `The profile types in the Icicle profile store, its recorded runs (newest first: when, how many samples, their branch, commit, command...), its imported profile files that belong to no recorded run (each a run to compare too), and its label keys with their values, to build selectors for the other tools. ${UNTRUSTED_NOTE}`,
      inputSchema: { profileType: typeField, labelKey: z.string().max(256).optional().describe('List only this label\'s values (up to limit) instead of every key with its first values.'), ...budgetShape },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const found = await StoreReader.read(context.store, async reader => {
          const source = reader.snapshot();
          const types = await profileTypes(source, { matchers: [] });
          if (input.profileType !== undefined && !types.includes(input.profileType)) throw new UsageError(`no samples of profile type ${input.profileType}; the store has: ${types.join(', ') || 'nothing'}`);
          const profileType = input.profileType ?? preferredProfileType(types);
          const runs = profileType === undefined ? [] : await recordedRuns(source, profileType, input.limit);
          // Imported files outside any session are runs too (as `icicle diff` and the source costs count them).
          const imported = profileType === undefined ? [] : await labelValuesByRecency(source, { profileType, matchers: [{ key: 'session_id', op: '=', value: '' }] }, 'profile_id');
          const keys = input.labelKey !== undefined ? [input.labelKey] : await labelKeys(source);
          const labels = await Promise.all(keys.map(async key => ({ key, values: await labelValues(source, key) })));
          return { types, profileType, runs, imported, labels };
        });
        const unit = unitOf(found.profileType);
        const valuesPerKey = input.labelKey !== undefined ? input.limit : Math.min(input.limit, 10);
        const data = {
          profileTypes: found.types.map(type => ({ id: type, name: describeProfileType(type) })),
          profileType: found.profileType ?? null,
          unit,
          runs: found.runs.map(run => ({
            sessionId: capped(run.sessionId),
            selector: capped(formatSelector([{ key: 'session_id', op: '=', value: run.sessionId }])),
            start: new Date(run.startMs).toISOString(),
            end: new Date(run.endMs).toISOString(),
            samples: run.samples,
            value: run.value,
            labels: Object.fromEntries(Object.entries(run.labels).map(([key, value]) => [key, capped(value)])),
          })),
          importedProfiles: found.imported.slice(0, input.limit).map(profile => ({
            profileId: capped(profile.value),
            selector: capped(formatSelector([{ key: 'profile_id', op: '=', value: profile.value }])),
            lastSample: new Date(profile.lastMs).toISOString(),
          })),
          labels: found.labels.map(({ key, values }) => ({ key: capped(key), valueCount: values.length, values: values.slice(0, valuesPerKey).map(capped) })),
        };
        return answer(data, ['runs', 'importedProfiles', 'labels'], input, d => [
          `Profile types: ${d.profileTypes.map(t => `${t.name} (${t.id})`).join(', ') || 'none (the store is empty)'}.`,
          `${d.runs.length} recorded run(s) of ${d.profileType ?? 'no type'}, newest first:`,
          ...d.runs.map(r => `  ${r.start} to ${r.end}, ${r.samples} samples, ${formatValue(r.value, unit)}; selector ${quoted(r.selector)}; labels ${Object.entries(r.labels).map(([k, v]) => `${k}=${quoted(v)}`).join(' ')}`),
          `${d.importedProfiles.length} imported profile file(s) outside recorded runs, newest first:`,
          ...d.importedProfiles.map(p => `  last sample ${p.lastSample}; selector ${quoted(p.selector)}`),
          'Label keys and values:',
          ...d.labels.map(l => `  ${quoted(l.key)} (${l.valueCount} value(s)): ${l.values.map(quoted).join(', ')}`),
        ]);
      }),
  );
}
