import { CPU_TIME_PROFILE_TYPE, describeProfileType } from '../../common/profileTypes';

/**
 * The status bar's short form of where the source's costs come from: `latest run · main` of `branch="main", latest
 * run (…)`; a followed profile's name (the whole description) as it is, shortened when long; and, when the costs are
 * not CPU time, their type after it (`latest run · main · Allocated bytes`), which the agent's description ends with
 * and which shortening would otherwise cut off.
 */
export function shortCostDescription(description: string, profileType: string | undefined): string {
  const type = profileType === undefined || profileType === CPU_TIME_PROFILE_TYPE ? undefined : describeProfileType(profileType);
  if (type === undefined || !description.endsWith(`, ${type}`)) return shortSelection(description);
  return `${shortSelection(description.slice(0, -`, ${type}`.length))} · ${type}`;
}

function shortSelection(description: string): string {
  // CI's samples, not this workspace's: the status bar says so (the agent ends the words with it).
  const dataset = / from the dataset ([^;,]+)/.exec(description)?.[1];
  const own = dataset === undefined ? description : description.replace(` from the dataset ${dataset}`, '');
  const what = /^(?:.*, )?(latest run|all runs|last [\w ]+)/.exec(own)?.[1];
  const short = what === undefined ? (own.length > 40 ? `${own.slice(0, 39)}…` : own) : withBranch(what, own);
  return dataset === undefined ? short : `${short} · dataset ${dataset}`;
}

function withBranch(what: string, description: string): string {
  const branch = /branch="([^"]*)"/.exec(description)?.[1];
  return branch ? `${what} · ${branch}` : what;
}
