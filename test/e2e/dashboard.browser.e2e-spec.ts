/// <reference lib="dom" />
// For the page.evaluate bodies, which run in the page (lib/ builds without DOM types).
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ApiTokenService,
  PlaybookService,
  type BeforeDialHook,
} from '../../lib';
import { createLoopTestApp, type LoopTestApp } from '../support/loop-test-app';
import {
  createTestApp,
  httpMatrix,
  type TestApp,
  type TestPlatform,
} from '../support/test-app';
import { TEST_DIALECTS, type TestDialect } from '../support/test-database';

/*
 * The dashboard in a real browser: the system Chromium driven by
 * playwright-core against a real app over HTTP. The dialing loop is ticked
 * by the test (fake clock), so each step the page must show is one the test
 * made happen.
 */

/** `CHROMIUM_PATH` when set (only it), else the system Chromium. */
const CHROMIUM = (
  process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : ['/usr/bin/chromium', '/usr/bin/chromium-browser']
).find((path) => existsSync(path));

if (!CHROMIUM) {
  console.warn(
    'SKIPPED: the dashboard browser suite (no Chromium: set CHROMIUM_PATH, or apt-get install -y chromium). Every other suite runs.',
  );
}

/** Headless, and as root (CI containers) without the sandbox. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'dashboard');
const HELD = '+34600000009';
const HELD_REASON = 'waiting for consent in the CRM';
const OTHER_ACCOUNT = 'acct-other';
const UI_TIMEOUT_MS = 10_000;

const phone = (i: number) => `+3460000000${i}`;
const short = (id: string) => id.slice(0, 8);

const holdOne: BeforeDialHook = (call) =>
  call.phone === HELD
    ? {
        action: 'defer',
        until: new Date(Date.now() + 3_600_000),
        reason: HELD_REASON,
      }
    : { action: 'allow' };

/** One browser for the file (each test has its own context). */
let browser: Browser | undefined;
beforeAll(async () => {
  if (!CHROMIUM) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
});
afterAll(() => browser?.close());

(CHROMIUM ? describe : describe.skip)('dashboard in Chromium', () => {
  describe.each(httpMatrix(TEST_DIALECTS))(
    '%s, %s',
    (dialect: TestDialect, platform: TestPlatform) => {
      let t: LoopTestApp;
      let base: string;
      let context: BrowserContext;
      let page: Page;
      /** Console errors and CSP violations: there must be none. */
      let problems: string[];
      const shot = (name: string) =>
        page.screenshot({
          path: join(ARTIFACTS, `${dialect}-${platform}-${name}.png`),
          fullPage: true,
        });

      beforeAll(async () => {
        t = await createLoopTestApp(
          dialect,
          { [phone(5)]: ['no_answer'], [phone(6)]: ['busy'] },
          // Two dials per round: the page has steps to show.
          { beforeDial: holdOne, scheduler: { maxInFlight: 2 } },
          platform,
          [],
          { dashboard: { refreshIntervalMs: 250 } },
        );
        await t.app.listen(0, '127.0.0.1');
        const { port } = t.app.getHttpServer().address() as AddressInfo;
        base = `http://127.0.0.1:${port}`;
      });
      afterAll(() => t?.close());

      beforeEach(async () => {
        problems = [];
        context = await browser!.newContext({
          viewport: { width: 1280, height: 900 },
        });
        page = await context.newPage();
        page.setDefaultTimeout(UI_TIMEOUT_MS);
        page.on('console', (message) => {
          // An API answer of 401 or 404 is one the test asks for; the
          // responses are checked below.
          if (
            message.type() === 'error' &&
            !message.text().startsWith('Failed to load resource')
          ) {
            problems.push(message.text());
          }
        });
        page.on('response', (response) => {
          const path = new URL(response.url()).pathname;
          const api = path === '/campaign' || path.startsWith('/campaign/');
          if (response.status() >= (api ? 500 : 400)) {
            problems.push(`${response.status()} ${path}`);
          }
        });
      });
      afterEach(async () => {
        await context.close();
        expect(problems).toEqual([]);
      });

      const createCampaign = async (phones: string[], token = t.token) => {
        const res = await t
          .http()
          .post('/campaign')
          .set('Authorization', `Bearer ${token}`)
          .send({
            playbook_id: t.playbookId,
            contacts: phones.map((p, i) => ({
              phone: p,
              first_name: `Person ${i + 1}`,
            })),
            recall: [],
          })
          .expect(202);
        // The loop's fake time just after the calls' due time, however long
        // the steps before took (a loaded machine).
        t.clock.set(new Date(Date.now() + 5_000));
        return res.body.campaign_id as string;
      };
      const statusOf = async (id: string) =>
        (
          await t
            .http()
            .get(`/campaign/${id}`)
            .set('Authorization', `Bearer ${t.token}`)
            .expect(200)
        ).body.status as string;
      const signIn = async () => {
        await page.goto(`${base}/campaign-dashboard`);
        await page.getByLabel('API token').fill(t.token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page
          .getByRole('heading', { name: 'Campaigns', level: 1 })
          .waitFor();
      };
      const finished = (n: number) =>
        page
          .locator(
            `[role="progressbar"][aria-label="Calls finished"][aria-valuenow="${n}"]`,
          )
          .waitFor();

      it('signs in, watches a campaign progress to completed, pauses and resumes it', async () => {
        const id = await createCampaign([1, 2, 3, 4, 5, 6].map(phone));

        await page.goto(`${base}/campaign-dashboard`);
        await page.getByLabel('API token').fill('cc_not-a-real-token');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('The token was not accepted').waitFor();
        await page.getByLabel('API token').fill(t.token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const card = page.getByRole('progressbar', {
          name: `Progress of campaign ${short(id)}`,
        });
        await card.waitFor();
        expect(await card.getAttribute('aria-valuemax')).toBe('6');
        expect(await card.getAttribute('aria-valuenow')).toBe('0');

        // By keyboard: the focused link keeps the focus through a live update.
        const link = page.getByRole('link', { name: `Campaign ${short(id)}` });
        await link.focus();
        expect(await t.round()).toMatchObject({ started: 2 });
        await page
          .locator(
            `[role="progressbar"][aria-label="Progress of campaign ${short(id)}"][aria-valuenow="2"]`,
          )
          .waitFor();
        expect(await link.evaluate((el) => el === document.activeElement)).toBe(
          true,
        );
        await page.keyboard.press('Enter');
        await page
          .getByRole('heading', { name: `Campaign ${short(id)}`, level: 1 })
          .waitFor();
        await finished(2);
        await page.getByText('2 of 6 calls finished').waitFor();

        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('button', { name: 'Resume' }).waitFor();
        expect(await statusOf(id)).toBe('paused');
        await page.getByRole('status').getByText('Campaign paused.').waitFor();
        // Paused: the loop starts nothing, the page still shows 2 of 6.
        expect(await t.round()).toMatchObject({ started: 0 });
        expect(t.dialer.dials).toHaveLength(2);
        await finished(2);
        // The calls not yet dialed say why: the campaign is paused.
        await page
          .getByRole('table', { name: 'Calls' })
          .getByText('Paused', { exact: true })
          .first()
          .waitFor();
        await shot('paused');

        await page.getByRole('button', { name: 'Resume' }).click();
        await page.getByRole('button', { name: 'Pause' }).waitFor();
        expect(await statusOf(id)).toBe('running');
        expect(await t.round()).toMatchObject({ started: 2 });
        await finished(4);
        expect(await t.round()).toMatchObject({ started: 2 });
        await finished(6);
        for (let i = 0; i < 3 && (await statusOf(id)) !== 'completed'; i++) {
          await t.round();
        }
        expect(await statusOf(id)).toBe('completed');
        await page
          .locator('.title-row .badge', { hasText: 'completed' })
          .waitFor();
        await page
          .getByRole('status')
          .getByText(`Campaign ${short(id)} is now completed.`)
          .waitFor();
        // No action is left on a completed campaign.
        expect(
          await page
            .getByRole('button', { name: /Pause|Resume|Cancel/ })
            .count(),
        ).toBe(0);

        const outcomes = page.getByRole('figure', { name: 'Outcomes' });
        const bars = await outcomes.getByRole('listitem').allInnerTexts();
        expect(bars.map((text) => text.replace(/\s+/g, ' ').trim())).toEqual([
          'answered 4 (67%)',
          expect.stringMatching(/^(no answer|busy) 1 \(17%\)$/),
          expect.stringMatching(/^(no answer|busy) 1 \(17%\)$/),
        ]);
        const rows = page
          .getByRole('table', { name: 'Calls' })
          .getByRole('row');
        expect(await rows.count()).toBe(7);
        await shot('campaign-desktop');
        await page.setViewportSize({ width: 375, height: 800 });
        // Phone width: nothing wider than the screen.
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
        ).toBeLessThanOrEqual(375);
        await shot('campaign-phone');

        await page.getByRole('link', { name: '← All campaigns' }).click();
        await page
          .getByRole('heading', { name: 'Campaigns', level: 1 })
          .waitFor();
        await page
          .locator(
            `[role="progressbar"][aria-label="Progress of campaign ${short(id)}"][aria-valuenow="6"]`,
          )
          .waitFor();
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
        ).toBeLessThanOrEqual(375);
        await shot('list-phone');
      });

      it("shows why a waiting call waits, and never another account's campaign", async () => {
        const held = await createCampaign([phone(7), HELD]);
        const other = await t.app
          .get(ApiTokenService)
          .issue(OTHER_ACCOUNT, { name: 'other' });
        const otherPlaybook = await t.app
          .get(PlaybookService)
          .register({ accountId: OTHER_ACCOUNT, name: 'Other' });
        const otherId = (
          await t
            .http()
            .post('/campaign')
            .set('Authorization', `Bearer ${other.token}`)
            .send({
              playbook_id: otherPlaybook.id,
              contacts: [{ phone: phone(8) }],
            })
            .expect(202)
        ).body.campaign_id as string;
        await t.round();

        await signIn();
        await page
          .getByRole('link', { name: `Campaign ${short(held)}` })
          .waitFor();
        const links = await page
          .getByRole('list', { name: 'Campaigns' })
          .getByRole('link')
          .allInnerTexts();
        expect(links).toContain(`Campaign ${short(held)}`);
        expect(links).not.toContain(`Campaign ${short(otherId)}`);
        await checkAccessibility(page);

        await page
          .getByRole('link', { name: `Campaign ${short(held)}` })
          .click();
        const heldRow = page.getByRole('row', {
          name: new RegExp(`\\${HELD}`),
        });
        await heldRow.getByText(`Held by the host: ${HELD_REASON}`).waitFor();
        const dialedRow = page.getByRole('row', {
          name: new RegExp(`\\${phone(7)}`),
        });
        await dialedRow.getByText('1 attempt').click();
        await dialedRow
          .getByRole('listitem')
          .getByText(/: answered$/)
          .waitFor();
        await shot('waiting-desktop');
        await checkAccessibility(page);

        // Cancel asks first; accepted, the campaign ends cancelled.
        page.once('dialog', (dialog) => void dialog.accept());
        await page.getByRole('button', { name: 'Cancel campaign' }).click();
        await page
          .locator('.title-row .badge', { hasText: 'cancelled' })
          .waitFor();
        expect(await statusOf(held)).toBe('cancelled');
        await heldRow.getByText('cancelled', { exact: true }).waitFor();

        // Another account's campaign, even by its id: not found.
        await page.goto(`${base}/campaign-dashboard#/campaigns/${otherId}`);
        await page.getByText('No such campaign in your account.').waitFor();
        expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(
          0,
        );

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByLabel('API token').waitFor();
        expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
        await checkAccessibility(page);
      });
    },
  );
});

/** The first (database, platform) pair: enough for what does not depend on them. */
const [[FIRST_DIALECT, FIRST_PLATFORM]] = httpMatrix(TEST_DIALECTS);

(CHROMIUM ? describe : describe.skip)(
  'dashboard in Chromium, under a global prefix',
  () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp(FIRST_DIALECT, {
        platform: FIRST_PLATFORM,
        globalPrefix: 'api',
        extras: {
          routePrefix: 'v1/campaigns',
          dashboard: { path: 'ops/board' },
        },
      });
      await t.app.listen(0, '127.0.0.1');
    });
    afterAll(() => t?.close());

    it('finds its files and the API beside it', async () => {
      const created = await t
        .http()
        .post('/api/v1/campaigns')
        .set('Authorization', `Bearer ${t.token}`)
        .send({ playbook_id: t.playbookId, contacts: [{ phone: phone(1) }] })
        .expect(202);
      const id = created.body.campaign_id as string;
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const context = await browser!.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      const failed: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) failed.push(response.url());
      });
      await page.goto(`http://127.0.0.1:${port}/api/ops/board`);
      await page.getByLabel('API token').fill(t.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: `Campaign ${short(id)}` }).click();
      await page.getByText('0 of 1 call finished').waitFor();
      // Styled: the stylesheet was found under the prefix.
      expect(
        await page.evaluate(
          () => getComputedStyle(document.querySelector('.top')!).display,
        ),
      ).toBe('flex');
      expect(failed).toEqual([]);
      await context.close();
    });
  },
);

/**
 * The basics a screen reader and a low-vision user need: a language, one
 * h1, every control named, progress bars with their values, and text in
 * WCAG AA contrast with what is behind it.
 */
async function checkAccessibility(page: Page): Promise<void> {
  const report = await page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) =>
      (el as HTMLElement).offsetParent !== null ||
      getComputedStyle(el).position === 'fixed';
    if (!document.documentElement.lang) problems.push('no lang on <html>');
    const h1s = [...document.querySelectorAll('h1')].filter(visible);
    if (h1s.length !== 1) problems.push(`${h1s.length} visible h1`);
    for (const el of document.querySelectorAll('input, select, textarea')) {
      const field = el as HTMLInputElement;
      if (!visible(field)) continue;
      if (
        !field.labels?.length &&
        !field.getAttribute('aria-label') &&
        !field.getAttribute('aria-labelledby')
      ) {
        problems.push(`unlabelled ${field.tagName} #${field.id}`);
      }
    }
    for (const el of document.querySelectorAll('button, a[href]')) {
      if (visible(el) && !(el.textContent ?? '').trim()) {
        problems.push(`${el.tagName} without a name`);
      }
    }
    for (const bar of document.querySelectorAll('[role="progressbar"]')) {
      for (const attribute of [
        'aria-label',
        'aria-valuemin',
        'aria-valuemax',
        'aria-valuenow',
        'aria-valuetext',
      ]) {
        if (!bar.getAttribute(attribute)) {
          problems.push(`progressbar without ${attribute}`);
        }
      }
    }
    if (!document.querySelector('[aria-live="polite"]')) {
      problems.push('no live region');
    }
    const rgb = (value: string) =>
      (value.match(/[\d.]+/g) ?? []).map(Number) as number[];
    const luminance = ([r, g, b]: number[]) => {
      const [R, G, B] = [r, g, b].map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
      }
      return [255, 255, 255];
    };
    let checked = 0;
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim(),
      );
      if (!own || !visible(el)) continue;
      const style = getComputedStyle(el);
      const fg = luminance(rgb(style.color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const large =
        parseFloat(style.fontSize) >= 24 ||
        (parseFloat(style.fontSize) >= 18.66 &&
          Number(style.fontWeight) >= 700);
      checked++;
      if (ratio < (large ? 3 : 4.5)) {
        problems.push(
          `contrast ${ratio.toFixed(2)} for "${(el.textContent ?? '').trim().slice(0, 30)}"`,
        );
      }
    }
    return { problems, checked };
  });
  expect(report.problems).toEqual([]);
  expect(report.checked).toBeGreaterThan(3);
}
