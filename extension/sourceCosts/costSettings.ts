import * as vscode from 'vscode';
import { gitLabels } from '../../common/gitLabels';
import { quoteLabelValue } from '../../common/selector';
import { baseBranch } from '../gitBranches';
import { languageServerSettingsSchema, type LanguageServerSettings } from '../../common/protocol/languageServerProtocol';

/**
 * The language server's settings from `icicle.codeLens.minPercent`, `icicle.inlayHints.enabled`, `icicle.pathMappings`
 * and, for deltas in hovers and lenses, `icicle.compare.deltaInSource` with the base branch: the base's runs are the
 * baseline, and the current branch's runs the other side, when the current branch is another one.
 */
export async function readCostSettings(): Promise<LanguageServerSettings> {
  const settings = readStaticSettings();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder || !vscode.workspace.getConfiguration('icicle').get<boolean>('compare.deltaInSource', true)) return settings;
  const current = (await gitLabels(folder).catch(() => ({}) as Record<string, string>))['branch'];
  const base = await baseBranch(folder, current);
  if (!base || base === current) return settings;
  const head = current ? { head: { selection: { kind: 'allRuns' as const, selector: `{branch=${quoteLabelValue(current)}}` }, label: current } } : {};
  return { ...settings, baseline: { selection: { kind: 'allRuns', selector: `{branch=${quoteLabelValue(base)}}` }, label: base, ...head } };
}

function readStaticSettings(): LanguageServerSettings {
  const config = vscode.workspace.getConfiguration('icicle');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const mappings = (config.get<unknown[]>('pathMappings') ?? [])
    .filter((m): m is { from: string; to: string } => typeof m === 'object' && m !== null && typeof (m as { from?: unknown }).from === 'string' && typeof (m as { to?: unknown }).to === 'string')
    .map(m => ({ from: m.from, to: m.to.replace('${workspaceFolder}', folder) }))
    .filter(m => m.from !== '' && m.to !== '');
  const parsed = languageServerSettingsSchema.safeParse({
    codeLensMinPercent: Number(config.get('codeLens.minPercent', 1)),
    inlayHints: config.get<boolean>('inlayHints.enabled', false) === true,
    pathMappings: mappings.slice(0, 100),
  });
  return parsed.success ? parsed.data : { codeLensMinPercent: 1, inlayHints: false, pathMappings: [] };
}

export function affectsCostSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return ['icicle.codeLens', 'icicle.inlayHints', 'icicle.pathMappings', 'icicle.compare'].some(section => event.affectsConfiguration(section));
}
