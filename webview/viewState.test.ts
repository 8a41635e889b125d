import { assertEqual } from '../test/support/webviewAssertions';
import { DEFAULT_TAB, TAB_IDS, type Tab } from './tabs';
import { readViewState, type ViewState } from './viewState';

/** A state with every field set, as the page saves it (the fields in the schema's order, as zod returns them). */
function savedState(tab: Tab): ViewState {
  return {
    orientationChoice: { orientation: 'flame', overSetting: 'icicle' },
    tab,
    colourBy: 'source',
    search: 'parse',
    restore: {
      source: { kind: 'selection', selector: '{service="api"}', title: 'api' },
      query: { selector: '{service="api"}', profileType: 'cpu', timeRange: { startMs: 1000, endMs: 2000 } },
    },
    zoom: { profileKey: 'small.cpuprofile\u00006\u000012', nodeIndex: 3 },
  };
}

/** What VS Code hands back to a reloaded page: the state as it was saved, through a structured copy. */
const reloaded = (state: unknown): unknown => JSON.parse(JSON.stringify(state));

describe('saved view state', () => {
  it('keeps every declared tab, with the rest of the state, across a reload', () => {
    for (const tab of TAB_IDS) assertEqual(readViewState(reloaded(savedState(tab))), savedState(tab), `state saved on the ${tab} tab`);
  });

  it('opens the default tab for a tab this version does not have, keeping the search, zoom and time range', () => {
    for (const unknown of ['flamechart', '', 42, null]) {
      const saved = { ...savedState(DEFAULT_TAB), tab: unknown };
      assertEqual(readViewState(reloaded(saved)), savedState(DEFAULT_TAB), `state saved with tab ${JSON.stringify(unknown)}`);
    }
  });

  it('keeps a state saved without a tab as it is, the page then showing the default tab', () => {
    const { tab: _tab, ...withoutTab } = savedState(DEFAULT_TAB);
    assertEqual(readViewState(reloaded(withoutTab)), withoutTab, 'state without a tab');
  });

  it('drops a state that is not an object', () => {
    assertEqual(readViewState('graph'), {}, 'a string');
    assertEqual(readViewState(undefined), {}, 'nothing saved');
  });
});
