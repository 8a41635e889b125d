// The selection bar's source picker (the datasets of icicle.sources beside the workspace's store), through the built
// bundle in headless Chromium: shown only while datasets are configured, folder names as text only, and the `query`
// and `breakdown` messages that carry the source chosen.
import assert from 'node:assert/strict';
import { pollUntil } from '../support/poll';
import { frameRect } from './frames';
import { packFrames, profileMessage, SMALL_PROGRAM } from './testProfiles';
import { type PostedMessage, webviewSuite } from './webviewHarness';

const SELECTOR = '{branch="main"}';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
/** A folder name that would be markup if it ever became HTML. */
const HOSTILE = '/mnt/ci/<img src=x onerror="document.title=\'pwned\'">&amp;';
const CI = '/mnt/ci/ci-main';
const SETTINGS = { orientation: 'icicle' as const, minFramePixels: 1, sources: [HOSTILE, CI] };
const meta = (source?: string, timeRange?: { startMs: number; endMs: number }) => ({
  query: { selector: SELECTOR, profileType: CPU, timeRange, focus: undefined, ...(source !== undefined ? { source } : {}) },
  profileTypes: [{ id: CPU, label: 'CPU time', unit: 'micros' as const }],
});

describe('the source picker of the selection bar (datasets of icicle.sources)', function () {
  const web = webviewSuite();
  const picker = () => web.harness.page.getByRole('combobox', { name: 'Source' });
  const options = () => web.harness.page.locator('.icicle-source-picker option').allTextContents();
  const queries = async (): Promise<PostedMessage[]> => (await web.harness.posted()).filter(m => m.type === 'query');
  const nextQuery = async (after: number) => {
    const message = await pollUntil(async () => (await queries())[after], { timeoutMs: 10_000, what: `query message ${after + 1}` });
    return message.query as { selector: string; profileType?: string; timeRange?: unknown; source?: string };
  };

  it('is hidden without datasets', async () => {
    await web.harness.postToWebview(profileMessage('{branch="main"}', packFrames(SMALL_PROGRAM), undefined, meta()));
    await frameRect(web.harness.page, 'readToken').waitFor();
    assert.equal(await picker().isVisible(), false);
  });

  it('offers the store and each dataset by its folder name, as text only, and asks for the one chosen', async () => {
    await web.harness.postToWebview(profileMessage('{branch="main"}', packFrames(SMALL_PROGRAM), SETTINGS, meta(undefined, { startMs: 1000, endMs: 2000 })));
    await frameRect(web.harness.page, 'readToken').waitFor();
    await picker().waitFor();
    assert.deepEqual(await options(), ['Workspace store', 'dataset <img src=x onerror="document.title=\'pwned\'">&amp;', 'dataset ci-main']);
    assert.equal(await web.harness.page.locator('.icicle-source-picker option').nth(1).getAttribute('title'), HOSTILE, 'the whole folder is the tooltip');
    assert.equal(await web.harness.page.locator('.icicle-selection img').count(), 0, 'a folder name never becomes markup');
    assert.notEqual(await web.harness.page.title(), 'pwned');
    assert.equal(await web.harness.page.locator('.icicle-source-picker option:checked').textContent(), 'Workspace store', "the store's samples are shown");

    const before = (await queries()).length;
    await picker().selectOption({ label: 'dataset ci-main' });
    const query = await nextQuery(before);
    assert.equal(query.source, CI);
    assert.equal(query.selector, SELECTOR, 'the same selection, from the dataset');
    assert.equal(query.profileType, CPU);
    assert.equal(query.timeRange, undefined, "another source's samples have other times: the whole span");
    assert.equal(await web.harness.page.locator('.icicle-status').textContent(), 'Querying the dataset ci-main…');

    // The dataset's answer: the picker shows it, and the By Label tab asks the dataset too.
    await web.harness.postToWebview(profileMessage('{branch="main"} from the dataset ci-main', packFrames(SMALL_PROGRAM), SETTINGS, meta(CI)));
    await pollUntil(async () => (await web.harness.page.locator('.icicle-source-picker option:checked').textContent()) === 'dataset ci-main', { timeoutMs: 10_000, what: 'the picker to show the dataset' });
    assert.equal(await web.harness.page.locator('.icicle-title').textContent(), '{branch="main"} from the dataset ci-main');
    await web.harness.page.getByRole('tab', { name: 'By Label' }).click();
    const breakdown = await web.harness.waitForPosted(m => m.type === 'breakdown', 'a breakdown request');
    assert.equal((breakdown.query as { source?: string }).source, CI);

    // Back to the store: the query carries no source.
    await web.harness.page.getByRole('tab', { name: 'Graph' }).click();
    const again = (await queries()).length;
    await picker().selectOption({ label: 'Workspace store' });
    const storeQuery = await nextQuery(again);
    assert.equal(storeQuery.source, undefined);
    assert.equal(storeQuery.selector, SELECTOR);
  });

  it('still names a dataset shown after it left icicle.sources, and hides once the store is shown without datasets', async () => {
    await web.harness.postToWebview(profileMessage('{branch="main"} from the dataset ci-main', packFrames(SMALL_PROGRAM), SETTINGS, meta(CI)));
    await frameRect(web.harness.page, 'readToken').waitFor();
    await web.harness.postToWebview({ type: 'settings', settings: { orientation: 'icicle', minFramePixels: 1, sources: [] } });
    await pollUntil(async () => JSON.stringify(await options()) === JSON.stringify(['Workspace store', 'dataset ci-main (no longer in icicle.sources)']), {
      timeoutMs: 10_000,
      what: 'the picker to keep the dataset shown',
    });
    assert.ok(await picker().isVisible());
    await web.harness.postToWebview(profileMessage('{branch="main"}', packFrames(SMALL_PROGRAM), { orientation: 'icicle', minFramePixels: 1, sources: [] }, meta()));
    await pollUntil(async () => !(await picker().isVisible()), { timeoutMs: 10_000, what: 'the picker to hide' });
  });
});
