import { z } from 'zod';
import { restoreSchema } from '../common/viewQuery';
import { DEFAULT_TAB, TAB_IDS } from './tabs';

/**
 * What the webview remembers across reloads of its page (VS Code drops a hidden webview's page and restores
 * this state when it is shown again). Validated on read: it may come from an older version of the webview.
 */
const orientationSchema = z.enum(['icicle', 'flame']);
export type Orientation = z.infer<typeof orientationSchema>;

const viewStateSchema = z.object({
  /**
   * The orientation the user picked in the toolbar, with the setting's value at that moment: the pick wins
   * until the setting itself changes, so a later change of the setting is not ignored forever.
   */
  orientationChoice: z.object({ orientation: orientationSchema, overSetting: orientationSchema }).optional(),
  /**
   * The view shown (webview/tabs.ts). A tab this version does not have (saved by another version) becomes the
   * default tab, and the rest of the state is kept.
   */
  tab: z.enum(TAB_IDS).optional().catch(DEFAULT_TAB),
  /** How frames are coloured. */
  colourBy: z.enum(['kind', 'source']).optional(),
  /** The label the By Label tab groups by, once one was shown. */
  breakdownKey: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(100).optional().catch(undefined),
  /** The search text. */
  search: z.string().max(1000).optional(),
  /** What the extension needs to reopen this panel after a window reload (common/viewQuery.ts). */
  restore: restoreSchema.optional(),
  /** The zoomed frame, valid only for the profile it was chosen in. */
  zoom: z.object({ profileKey: z.string(), nodeIndex: z.number().int().nonnegative() }).optional(),
});
export type ViewState = z.infer<typeof viewStateSchema>;

export function readViewState(saved: unknown): ViewState {
  const parsed = viewStateSchema.safeParse(saved);
  return parsed.success ? parsed.data : {};
}

export function effectiveOrientation(setting: Orientation, state: ViewState): Orientation {
  const choice = state.orientationChoice;
  return choice && choice.overSetting === setting ? choice.orientation : setting;
}
