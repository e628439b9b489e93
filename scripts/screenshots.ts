/**
 * `npm run screenshots`: a PNG of each console page, with the data of a running stack
 * (`npm start`, then `npm run seed`), into docs/console/. CONSOLE_URL is where the console is
 * served (default http://127.0.0.1:$PORT, PORT 8000); the API is the same origin.
 *
 * The conflict view is produced for real: an edit is started in the page, the same instance
 * is changed over the API, and Save gets the 412.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { InstancesClient } from '../client/index.ts';
import { launchBrowser, settled } from '../test/web/support/browser.ts';

const base = process.env.CONSOLE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8000}`;
const out = resolve(import.meta.dirname, '../docs/console');
mkdirSync(out, { recursive: true });
const api = new InstancesClient({ baseUrl: base });

const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const shot = async (name: string, fullPage = true) => {
    await page.waitForLoadState('networkidle');
    // Let the live-row highlight and transitions settle.
    await settled(page);
    await page.screenshot({ path: resolve(out, `${name}.png`), fullPage });
    console.log(`docs/console/${name}.png`);
  };

  const { items } = await api.listInstances({ limit: 100 });
  const target = items.find((i) => i.version > 2) ?? items[0];
  if (!target) throw new Error('No instances: run `npm run seed` first');

  await page.goto(`${base}/`);
  await page.getByRole('table', { name: 'Instances' }).getByRole('row').nth(5).waitFor();
  await page.getByText('Live', { exact: true }).waitFor();
  await shot('instances');

  await page.goto(`${base}/?status=active,pending&sort=name&order=asc`);
  await page.getByRole('table', { name: 'Instances' }).getByRole('row').nth(2).waitFor();
  await shot('instances-filtered');

  await page.goto(`${base}/?selected=${target.id}`);
  await page.getByRole('dialog').getByText('Environment').waitFor();
  await shot('instance-preview-drawer', false);

  await page.goto(`${base}/instances/new`);
  await page.getByRole('button', { name: 'Create instance' }).click();
  await page.getByText('required').first().waitFor();
  await shot('instance-create-errors');

  await page.goto(`${base}/instances/${target.id}`);
  await page.getByRole('textbox', { name: 'Model version' }).waitFor();
  await shot('instance-edit');

  // A real 412: edit here, change the same instance over the API, then save.
  const replicas = page.getByRole('textbox', { name: 'Replicas' });
  await replicas.fill(String(((target.replicas + 2) % 100) + 1));
  await api.modify(target.id, (cur) => ({
    replicas: (cur.replicas % 100) + 1,
    description: 'tuned by the on-call',
  }));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('region', { name: 'Resolve conflicting changes' }).waitFor();
  await shot('instance-conflict');
  await page.getByRole('button', { name: 'Discard my edits' }).click();

  await page.goto(`${base}/instances/${target.id}/history`);
  await page.getByRole('list', { name: 'History' }).waitFor();
  await shot('history');

  const records = (await api.listHistory(target.id, { limit: 10 })).items;
  const [newest, oldest] = [records[0]!, records[records.length - 1]!];
  await page.goto(
    `${base}/instances/${target.id}/history?compare=${oldest.history_id},${newest.history_id}`,
  );
  await page.getByRole('region', { name: 'Comparison' }).getByRole('table').waitFor();
  await shot('history-compare');

  await page.goto(`${base}/instances/${target.id}/history?restore=${oldest.history_id}`);
  await page.getByRole('dialog').getByRole('table').waitFor();
  await shot('history-restore-preview', false);

  await page.goto(`${base}/history`);
  await page.getByRole('table', { name: 'History records' }).getByRole('row').nth(3).waitFor();
  await shot('history-search');

  // An export changes no data: a realistic operation to show.
  const op = await api.createOperation({ type: 'export', format: 'csv' });
  await page.goto(`${base}/operations/${op.operation_id}`);
  await page.getByText('succeeded', { exact: true }).first().waitFor({ timeout: 30_000 });
  await shot('operation');
  await page.goto(`${base}/operations`);
  await page.getByRole('table', { name: 'Operations' }).waitFor();
  await shot('operations');

  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(`${base}/`);
  // Below 48em the table is a list of cards.
  await page.getByRole('list', { name: 'Instances' }).getByRole('listitem').nth(3).waitFor();
  await shot('instances-mobile', false);
  await page.goto(`${base}/instances/${target.id}`);
  await page.getByRole('textbox', { name: 'Model version' }).waitFor();
  await shot('instance-edit-mobile', false);
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog', { name: `Delete "${target.name}"?` }).waitFor();
  await shot('instance-delete-mobile', false);

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${base}/`);
  await page.getByRole('table', { name: 'Instances' }).waitFor();
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await shot('help-dialog', false);
} finally {
  await browser.close();
}
