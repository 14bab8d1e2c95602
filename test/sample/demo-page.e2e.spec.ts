import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WsBroker } from 'nestjs-ws-spaces';
import { AppModule } from '../../sample/app.module.js';
import { realClock, startApp, type RunningApp } from '../helpers/start-app.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
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
    // ... and each message's reply name, as the server really answers it.
    expect(await bob.locator('.space[data-space="default"] tr[data-name="chat.join"] td').nth(2).textContent()).toBe('chat.joined');
    await Promise.all([alice.close(), bob.close()]);
  });

  it('runs on nestjs-ws-spaces/client, served by the sample: it reconnects by itself when dropped', async () => {
    const page = await open();
    expect(await page.evaluate(() => [...(globalThis as any).document.scripts].map((s: any) => s.text).join(''))).toContain("from '/client/index.js'");
    await page.evaluate(() => {
      const g = globalThis as any;
      g.statuses = [];
      new g.MutationObserver(() => g.statuses.push(g.document.getElementById('status').textContent)).observe(g.document.getElementById('status'), { childList: true, characterData: true, subtree: true });
    });
    const broker = running.app.get(WsBroker);
    for (const session of broker.sessions()) broker.close(session.id, 4003, 'dropped by the test');
    await expect.poll(() => page.evaluate(() => (globalThis as any).statuses), { timeout: 8000 }).toEqual(['reconnecting (4003)', 'connected']);
    await page.fill('#echo-text', 'after the drop');
    await page.click('#echo');
    await page.locator('#log', { hasText: '← demo.echoed {"text":"after the drop"}' }).waitFor({ timeout: 5000 });
    await page.close();
  });

  it('heads every metrics column with its own title', async () => {
    const page = await open();
    await page.locator('#metrics-body tr[data-space="total"]').waitFor({ timeout: 5000 });
    const heads = await page.locator('#metrics-head th[data-field]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-field')));
    expect(heads).toContain('connections');
    expect(await page.locator('#metrics-head th').count()).toBe(heads.length + 1); // + the space column
    for (const row of await page.locator('#metrics-body tr').all()) {
      expect(await row.locator('td').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-field')))).toEqual(heads);
    }
    await page.close();
  });

  it('shows a notice over HTTP, a push to one user and a second space', async () => {
    const [alice, bob] = [await open(), await open()];
    await alice.fill('#uid', 'alice');
    await alice.click('#login');
    await alice.locator('#log', { hasText: '← user.bound {"uid":"alice"' }).waitFor({ timeout: 5000 });

    await bob.fill('#notice-text', 'maintenance at noon');
    await bob.click('#notice');
    for (const page of [alice, bob]) {
      await page.locator('#log', { hasText: '← demo.notice {"text":"maintenance at noon"}' }).waitFor({ timeout: 5000 });
    }
    await bob.locator('#log', { hasText: 'POST /notice → 200 {"hit":2,"success":2' }).waitFor({ timeout: 5000 });

    await bob.fill('#push-uid', 'alice');
    await bob.fill('#push-text', 'just for alice');
    await bob.click('#push');
    await bob.locator('#log', { hasText: 'POST /notice/user → 200 {"hit":1,"success":1' }).waitFor({ timeout: 5000 });
    await alice.locator('#log', { hasText: '← demo.notice {"text":"just for alice"}' }).waitFor({ timeout: 5000 });
    expect(await bob.locator('#log').textContent()).not.toContain('← demo.notice {"text":"just for alice"}');

    await bob.click('#custom-connect');
    await bob.locator('#custom-status', { hasText: 'connected' }).waitFor({ timeout: 5000 });
    await bob.click('#custom-hello');
    await bob.locator('#log', { hasText: '[custom] ← custom.greeting {"greeting":"hello guest, from space custom"}' }).waitFor({ timeout: 5000 });
    await bob.locator('#metrics-body tr[data-space="custom"] td[data-field="connections"]', { hasText: '1' }).waitFor({ timeout: 5000 });
    await Promise.all([alice.close(), bob.close()]);
  });

  it('charts messages per second and connections, and the line rises while traffic flows', async () => {
    const page = await open();
    const chart = page.locator('#chart');
    // Some of everything first, for the screenshot: a user, a room, a line, a notice.
    await page.fill('#uid', 'alice');
    await page.click('#login');
    await page.click('#join');
    await page.locator('#log', { hasText: '← chat.joined {"room":"lobby"}' }).waitFor({ timeout: 5000 });
    await page.fill('#text', 'hello lobby');
    await page.click('#say');
    await page.click('#notice');
    await page.locator('#log', { hasText: '← demo.notice' }).waitFor({ timeout: 5000 });
    await expect.poll(async () => Number(await chart.getAttribute('data-samples')), { timeout: 8000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => chart.getAttribute('data-connections'), { timeout: 5000 }).toBe('1');

    // Where the "in" line is drawn at the right edge of the plot (the newest sample), read from the pixels:
    // 0 is the baseline (no traffic), 1 the top of the plot.
    const inLineHeight = () =>
      page.evaluate(() => {
        // The test files compile without the DOM library: the page's globals are untyped here.
        const canvas = (globalThis as any).document.getElementById('chart');
        const [left, top, width, height] = String(canvas.dataset.plot).split(',').map(Number);
        const ratio = canvas.width / canvas.clientWidth;
        const x0 = Math.floor((left + width - 4) * ratio), x1 = Math.ceil((left + width) * ratio);
        const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(x0, 0, x1 - x0, canvas.height).data;
        for (let y = 0; y < canvas.height; y++) {
          for (let x = 0; x < x1 - x0; x++) {
            const i = (y * (x1 - x0) + x) * 4;
            // #2563eb, the "in" line, with room for anti-aliasing
            if (Math.abs(pixels[i] - 37) + Math.abs(pixels[i + 1] - 99) + Math.abs(pixels[i + 2] - 235) < 60 && pixels[i + 3] > 200) {
              return 1 - (y / ratio - top) / height;
            }
          }
        }
        return -1;
      });
    await expect.poll(inLineHeight, { timeout: 10_000 }).toSatisfy((h: number) => h >= 0 && h < 0.05); // quiet: drawn on the baseline

    // Traffic from a client of our own: about 30 echoes a second, bounded in count and time, until the line rises.
    const client = await connect(running.wsUrl('/ws'));
    let flowing = true;
    const traffic = (async () => {
      for (let i = 0; i < 200 && flowing; i++) {
        await client.request('demo.echo', { text: `t${i}` });
        await realClock(30); // the chart plots a rate over time: traffic spread over seconds, not a burst
      }
    })();
    try {
      await expect.poll(async () => Number(await chart.getAttribute('data-in')), { timeout: 8000 }).toBeGreaterThan(5);
      await expect.poll(inLineHeight, { timeout: 8000 }).toBeGreaterThan(0.3);
      await expect.poll(() => chart.getAttribute('data-connections'), { timeout: 5000 }).toBe('2');
      // The trace panel lists the echoes as they are handled, newest first, with their code.
      await page.locator('#trace-body tr[data-name="demo.echo"][data-code="0"]').first().waitFor({ timeout: 5000 });
      expect(await page.locator('#trace-body tr').count()).toBeGreaterThan(10);
      await page.waitForTimeout(1500); // a little more history for the screenshot
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}demo-page.png`, fullPage: true });
      expect(existsSync(`${OUTPUT}demo-page.png`)).toBe(true);
    } finally {
      flowing = false;
      await traffic;
      await closeAllClients();
    }
    await page.close();
  });
});
