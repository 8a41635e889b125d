/**
 * What a label key may be. Declared here, in common/, so that the store (storage/schema.ts re-exports both rules),
 * the agent's protocol boundary and the command line check the same rules.
 */

/** A label key is what Prometheus and Parca allow, so that selectors and SQL column names stay unambiguous. */
export const LABEL_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Label keys starting with two underscores are the store's own bookkeeping (as in Prometheus), such as the row count
 * an import cut short is recognised by: they filter like any label but are not listed to users, and users cannot set
 * them.
 */
export function isInternalLabel(key: string): boolean {
  return key.startsWith('__');
}

/** Why a label key given by a user (a flag, a launch configuration, a request) cannot be stored; undefined if it can. */
export function userLabelKeyProblem(key: string): string | undefined {
  if (!LABEL_KEY_PATTERN.test(key)) return `the label key ${JSON.stringify(key)} must be a letter or _ followed by letters, digits or _`;
  if (isInternalLabel(key)) return `the label key ${JSON.stringify(key)} starts with "__", which Icicle keeps for the store's own bookkeeping; use a name without the leading "__"`;
  return undefined;
}

/** The first problem among a set of user labels' keys, or undefined. */
export function userLabelsProblem(labels: Record<string, string>): string | undefined {
  for (const key of Object.keys(labels)) {
    const problem = userLabelKeyProblem(key);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
