/**
 * The deployed sign-in, proved locally in a real Chromium (playwright-core + @sparticuz/chromium):
 * the console in `oidc` mode signs in through a stand-in for the Cognito hosted UI
 * (support/oidc-provider.ts: authorization code + PKCE S256, refresh tokens) whose access
 * tokens are signed with the key of a local stack started with `--auth`, so the real verifier
 * checks every call. An access token that really expires in the middle of an edit → the save
 * gets a 401 → the user signs in again in a popup (the refresh token refused) or the refresh
 * token renews it silently → the save goes through with what was typed. No fixed sleeps: each
 * wait is on a condition (the stack refusing the token, a dialog, the saved instance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { InstancesClient } from '../../client/index.ts';
import { loadOrCreateKeys, mintToken } from '../../infra/local/auth.ts';
import { handleConsole, isConsoleRequest } from '../../infra/local/web.ts';
import { spawnStack, type SpawnedStack } from '../support/spawn-stack.ts';
import { uniqueName } from '../support/api.ts';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describeViolations, launchBrowser, type AxeViolation } from './support/browser.ts';
import { forwardHttp, forwardUpgrade } from './support/console-server.ts';
import { OidcProvider, type TokenLifetime } from './support/oidc-provider.ts';

/**
 * Seconds a short-lived access token passes the stack's verifier. It is minted already past
 * most of its life (`exp` in the past by up to the verifier's 60 s clock skew), so it expires
 * a few seconds after the page has loaded, while `expires_in` tells the console it has an hour
 * (as when clocks differ or the token was revoked): the console learns it from the 401.
 */
const SHORT_S = 12;
const SKEW_S = 60;
const short = (): TokenLifetime => {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now - SKEW_S - 1, exp: now - SKEW_S + SHORT_S };
};
const normal = (): TokenLifetime => {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, exp: now + 3600 };
};

let dataDir: string;
let stack: SpawnedStack;
let provider: OidcProvider;
let front: Server;
let origin: string;
let browser: Browser;
let page: Page;
let api: InstancesClient;
let id: number;
let keys: Awaited<ReturnType<typeof loadOrCreateKeys>>;
const name = uniqueName('auth');
const field = (label: string) => page.getByRole('textbox', { name: label, exact: true });
const reauthDialog = () => page.getByRole('dialog', { name: 'Sign in again' });

/** The console and the provider on one origin (the console's CSP allows only its own). */
function startFront(target: URL): Promise<void> {
  front = createServer((req, res) => {
    void (async () => {
      if (await provider.handle(req, res)) return;
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(
          JSON.stringify({
            apiUrl: '',
            wsUrl: `ws://${req.headers.host}/ws`,
            auth: 'oidc',
            oidc: { authority: provider.authority, clientId: 'console' },
          }),
        );
        return;
      }
      if (isConsoleRequest(path)) return handleConsole(req, res, path);
      forwardHttp(target, req, res);
    })().catch(() => res.destroy());
  });
  front.on('upgrade', (req, socket, head) => forwardUpgrade(target, req, socket, head));
  return new Promise((r) => front.listen(0, '127.0.0.1', () => r()));
}

interface AnimatedDocument {
  getAnimations(): { playState: string; effect: { getTiming(): { iterations?: number } } | null }[];
}

/**
 * axe-core on the page as it is, once finite transitions (the dialog opening) are over: the
 * Save button's spinner runs until the save ends, so support/browser.ts `settled` would wait
 * for ever here.
 */
async function seriousViolations(): Promise<AxeViolation[]> {
  await page.waitForFunction(() =>
    (globalThis as unknown as { document: AnimatedDocument }).document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  const source = readFileSync(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  );
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(source);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: AxeViolation[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits until the local stack's verifier refuses the token (it has really expired). */
async function untilRefused(token: string) {
  await expect
    .poll(
      async () =>
        (
          await fetch(`${stack.info.url}/api/instances/${id}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      { timeout: (SHORT_S + 15) * 1000, interval: 500 },
    )
    .toBe(401);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'console-auth-'));
  keys = await loadOrCreateKeys(dataDir);
  stack = await spawnStack(['--in-memory', '--auth', '--data-dir', dataDir]);
  const redirectUris: string[] = [];
  provider = new OidcProvider({ keys, clientId: 'console', basePath: '/oidc', redirectUris });
  await startFront(new URL(stack.info.url));
  const addr = front.address();
  origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  provider.origin = origin;
  redirectUris.push(`${origin}/auth/callback`, `${origin}/`);
  const admin = await mintToken(keys, {
    sub: 'setup',
    scopes: ['instances:read', 'instances:write', 'instances:admin'],
  });
  api = new InstancesClient({ baseUrl: stack.info.url, token: admin });
  id = (await api.createInstance({ name, model_name: 'm', cluster_name: 'c', image_tag: 't' })).id;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => {
    front?.closeAllConnections();
    if (front) front.close(() => r());
    else r();
  });
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('console sign-in (oidc mode against a local hosted-UI stand-in)', () => {
  it('signs in through the hosted UI with authorization code + PKCE and comes back to the page', async () => {
    provider.lifetime = short;
    await page.goto(`${origin}/instances/${id}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The provider's page: the browser left the console (a full redirect).
    await page.getByRole('heading', { name: /local stand-in for the hosted UI/ }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/instances/${id}`);
    await page.getByRole('banner').getByText('alice@example.test').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(provider.events).toEqual(['authorize', 'token:code']);
  });

  it('the token expires mid-edit: sign in again in a popup, and the edit is saved as typed', async () => {
    await field('Replicas').fill('4');
    await field('Description').fill('typed before the token expired');
    await field('Change reason (optional)').fill('re-auth test');
    provider.refuseRefresh = true;
    await untilRefused(provider.issued.at(-1)!);

    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = reauthDialog();
    await dialog.waitFor();
    // The page under the dialog is untouched: what was typed is still there.
    expect(await field('Replicas').inputValue()).toBe('4');
    expect(await field('Description').inputValue()).toBe('typed before the token expired');
    const violations = await seriousViolations();
    expect(violations, describeViolations(violations)).toEqual([]);

    const popupOpened = page.waitForEvent('popup');
    await dialog.getByRole('button', { name: 'Sign in again' }).click();
    const popup = await popupOpened;
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.waitForEvent('close');
    await dialog.waitFor({ state: 'detached' });

    await expect
      .poll(async () => {
        const i = await api.getInstance(id);
        return [i.version, i.replicas, i.description];
      })
      .toEqual([2, 4, 'typed before the token expired']);
    const history = await api.listHistory(id);
    expect(history.items.find((h) => h.version === 2)).toMatchObject({
      actor: 'alice@example.test',
      reason: 're-auth test',
    });
    expect(await field('Replicas').inputValue()).toBe('4');
    expect(provider.events.slice(2)).toEqual(['token:refresh-refused', 'authorize', 'token:code']);
  }, 90_000);

  it('expired again: the refresh token renews it without asking, and the save goes through', async () => {
    provider.refuseRefresh = false;
    provider.lifetime = normal;
    await field('Replicas').fill('6');
    await untilRefused(provider.issued.at(-1)!);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(async () => {
        const i = await api.getInstance(id);
        return [i.version, i.replicas];
      })
      .toEqual([3, 6]);
    expect(await reauthDialog().count()).toBe(0);
    expect(provider.events.at(-1)).toBe('token:refresh');
  }, 90_000);

  it('signs out: the refresh token is revoked and the hosted-UI session ended', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(provider.events.slice(-2)).toEqual(['revoke', 'logout']);
  });
});

describe('console sign-in (token mode: npm start -- --auth)', () => {
  it('the pasted token expires mid-edit: the dialog asks for a new one, and the edit is saved as typed', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    // The stack's own console: config.json says `token` under --auth.
    await page.goto(`${stack.info.url}/instances/${id}`);
    await page.getByText('npm run token').waitFor();
    const first = await provider.accessToken('bob', short());
    await page.getByLabel('Access token').fill(first);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByRole('banner').getByText('bob').waitFor();

    await field('Replicas').fill('9');
    await field('Description').fill('typed in token mode');
    await untilRefused(first);
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dialog = reauthDialog();
    await dialog.waitFor();
    expect(await field('Description').inputValue()).toBe('typed in token mode');
    // What `npm run token -- --sub bob --scopes …` prints.
    const fresh = await mintToken(keys, {
      sub: 'bob',
      scopes: ['instances:read', 'instances:write', 'instances:admin'],
    });
    await dialog.getByLabel('New access token').fill(fresh);
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(async () => {
        const i = await api.getInstance(id);
        return [i.replicas, i.description];
      })
      .toEqual([9, 'typed in token mode']);
    const history = await api.listHistory(id);
    expect(history.items.some((h) => h.actor === 'bob')).toBe(true);
  }, 90_000);
});
