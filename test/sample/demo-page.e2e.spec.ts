import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AppModule } from '../../sample/app.module.js';
import { startApp, type RunningApp } from '../helpers/start-app.js';
import { findChromium, NO_CHROMIUM } from './chromium.js';

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

// No browser fails the spec with one line saying how to get one: a skipped spec would pass unseen.
describe('The demo page in headless Chromium', () => {
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(NO_CHROMIUM);
    running = await startApp({ imports: [AppModule] });
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(running.httpUrl('/'));
    await page.locator('#status', { hasText: 'connected' }).waitFor({ timeout: 5000 });
    return page;
  };

  it('lets two pages chat in a room and shows their connections in the live metrics', async () => {
    const [alice, bob] = [await open(), await open()];
    await alice.fill('#uid', 'alice');
    await alice.click('#login');
    await alice.locator('#sid', { hasText: 'as alice' }).waitFor({ timeout: 5000 });
    for (const page of [alice, bob]) {
      await page.fill('#room', 'garden');
      await page.click('#join');
      await page.locator('#log', { hasText: '← chat.joined {"room":"garden"}' }).waitFor({ timeout: 5000 });
    }

    await alice.fill('#text', 'the roses are out');
    await alice.click('#say');
    await bob.locator('#log', { hasText: '[garden] alice: the roses are out' }).waitFor({ timeout: 5000 });

    // The panel polls every second; wait for a poll that saw both sessions and every frame so far:
    // in = login, two joins, say; out = their four replies and the two chat.said.
    const cell = (field: string) => async () =>
      Number(await bob.locator(`#metrics-body tr[data-space="default"] td[data-field="${field}"]`).textContent({ timeout: 5000 }));
    await expect.poll(cell('connections'), { timeout: 5000 }).toBe(2);
    await expect.poll(cell('messagesIn'), { timeout: 5000 }).toBe(4);
    await expect.poll(cell('messagesOut'), { timeout: 5000 }).toBe(6);

    // The protocol panel lists the chat messages with their examples, per space.
    const say = bob.locator('.space[data-space="default"] tr[data-name="chat.say"]');
    await say.waitFor({ timeout: 5000 });
    expect(await say.textContent()).toContain('"name": "chat.say"');
    expect(await say.textContent()).toContain('"text": "text"');
    await bob.locator('.space[data-space="custom"] tr[data-name="custom.hello"]').waitFor({ timeout: 5000 });

    mkdirSync(OUTPUT, { recursive: true });
    await bob.screenshot({ path: `${OUTPUT}demo-page.png`, fullPage: true });
    expect(existsSync(`${OUTPUT}demo-page.png`)).toBe(true);
  });
});
