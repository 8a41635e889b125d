import * as path from 'node:path';
import { z } from 'zod';
import { openFlameGraphPanel } from '../openProfileCommand';
import type { FlameGraphPanelServices } from '../flameGraphPanel';

/** What the language server's lenses and hover links pass; validated, as it comes from another process. */
const argumentSchema = z.object({
  name: z.string().max(10_000),
  file: z.string().max(8192),
  selector: z.string().max(10_000),
  profileType: z.string().min(1).max(500).optional(),
  /** The dataset of `icicle.sources` the costs came from; absent: the store. */
  source: z.string().min(1).max(4096).optional(),
});

/**
 * "Show in flame graph": the selection the costs came from, in their type (the bytes a hover spoke of), with the
 * function searched for and standing out.
 */
export function showFunction(services: FlameGraphPanelServices, raw: unknown): void {
  const parsed = argumentSchema.safeParse(raw);
  if (!parsed.success) {
    services.log.warn('ignored icicle.showFunction without a function to show');
    return;
  }
  const { name, file, selector, profileType, source } = parsed.data;
  const title = `${name || '(anonymous)'} — ${path.basename(file)}`;
  const fromSource = source !== undefined ? { source } : {};
  openFlameGraphPanel(services, { kind: 'selection', selector, title, ...fromSource }, title, name, { selector, ...(profileType !== undefined ? { profileType } : {}), ...fromSource });
}
