import { Controller, Get, Header, type INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WsBroker } from 'nestjs-ws-spaces';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ClientController } from '../../sample/client.controller.js';
import { findChromium, NO_CHROMIUM } from '../sample/chromium.js';
import { startCalcApp } from './client-app.js';

@Controller()
class BlankPage {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page() {
    return '<!doctype html><title>client</title>';
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The compiled client (dist/lib/client, as the sample serves it) in a real browser: its own WebSocket, no `ws`. */
describe('WsClient in headless Chromium', () => {
  let app: INestApplication;
  let port: number;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(NO_CHROMIUM);
    ({ app, port } = await startCalcApp(0, {}, { controllers: [BlankPage, ClientController] }));
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    // A module script, not page.evaluate(import()): the test file's own dynamic imports are rewritten by vitest.
    await page.addScriptTag({ type: 'module', content: "import * as client from '/client/index.js'; globalThis.client = client;" });
    await page.waitForFunction(() => (globalThis as any).client !== undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('compiles against the DOM library alone (no Node types)', async () => {
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', 'test/client/tsconfig.browser.json'], { cwd: ROOT });
    expect(stdout).toBe('');
  }, 60_000);

  it('correlates concurrent requests, types errors and hands pushes over, on the browser WebSocket', async () => {
    const outcome = await page.evaluate(async () => {
      const { WsClient, WsRequestError, WsTimeoutError } = (globalThis as any).client;
      const ws = new WsClient('/ws', { timeout: 3000 });
      const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => ws.request('calc.add', { a: i, b: 1 })));
      const missing = await ws.request('no.such').catch((e: any) => e);
      const slow = await ws.request('calc.slow', { ms: 500 }, { timeout: 50 }).catch((e: any) => e);
      const ticks: number[] = [];
      ws.on('calc.tick', (d: { n: number }) => ticks.push(d.n));
      await ws.request('calc.ticks', { n: 5 });
      await ws.close();
      return {
        sumsOk: sums.every((s: { sum: number }, i: number) => s.sum === i + 1),
        missing: { typed: missing instanceof WsRequestError, code: missing.code, name: missing.requestName },
        timedOut: slow instanceof WsTimeoutError,
        ticks,
        state: ws.state,
      };
    });
    expect(outcome).toEqual({ sumsOk: true, missing: { typed: true, code: 404, name: 'no.such' }, timedOut: true, ticks: [0, 1, 2, 3, 4], state: 'closed' });
  });

  it('reconnects by itself when the server drops the session', async () => {
    await page.evaluate(() => {
      const g = globalThis as any;
      g.states = [];
      g.ws = new g.client.WsClient('/ws', { reconnect: { minDelay: 20, maxDelay: 100 } });
      g.ws.onState((s: { state: string; code?: number }) => g.states.push(`${s.state}${s.code ? ` ${s.code}` : ''}`));
      return g.ws.request('calc.add', { a: 1, b: 1 });
    });
    const broker = app.get(WsBroker);
    for (const session of broker.sessions()) broker.close(session.id, 4003, 'dropped');
    await page.waitForFunction(() => (globalThis as any).states.filter((s: string) => s === 'open').length === 2, undefined, { timeout: 5000 });
    const after = await page.evaluate(() => (globalThis as any).ws.request('calc.add', { a: 2, b: 3 }));
    expect(after).toEqual({ sum: 5 });
    expect(await page.evaluate(() => (globalThis as any).states)).toEqual(['connecting', 'open', 'reconnecting 4003', 'open']);
    await page.evaluate(() => (globalThis as any).ws.close());
  });
});
