// Type tests for `new WsClient<Contract>(url)`, the contract being what the CLI generates for the calc app
// (calc-contract.d.ts, checked against a fresh rendering by contract.e2e.spec.ts). Each `@ts-expect-error` must
// keep failing to compile, and every other line must compile.
import { WsClient, type WsClientMessage } from '../../../lib/client/index.js';
import type { Contract } from './calc-contract.js';

declare const url: string;
const ws = new WsClient<Contract>(url);

export async function requests(): Promise<number> {
  const reply = await ws.request('calc.add', { a: 1, b: 2 });
  const sum: number = reply.sum;
  // @ts-expect-error the reply has no such field
  void reply.product;
  // @ts-expect-error an unknown message name
  await ws.request('calc.mul', { a: 1, b: 2 });
  // @ts-expect-error a field of the wrong type
  await ws.request('calc.add', { a: '1', b: 2 });
  // @ts-expect-error a required field missing
  await ws.request('calc.add', { a: 1 });
  // @ts-expect-error a field the message does not take
  await ws.request('calc.add', { a: 1, b: 2, c: 3 });
  // @ts-expect-error the arguments are required
  await ws.request('calc.add');
  await ws.request('calc.add', { a: 1, b: 2 }, { timeout: 100 });
  // @ts-expect-error a request option that does not exist
  await ws.request('calc.add', { a: 1, b: 2 }, { retries: 1 });
  // A message without an arguments class takes anything, or nothing; its reply is unknown, not any.
  const acked = await ws.request('calc.hangup');
  // @ts-expect-error unknown is not any
  void acked.anything;
  await ws.request('calc.ticks', { n: 3 });
  return sum;
}

export function pushes(): void {
  ws.on('calc.tick', (data, message: WsClientMessage<{ n: number }>) => {
    const n: number = data.n;
    void [n, message.code];
  });
  // @ts-expect-error the tick's data has no text
  ws.on('calc.tick', (data) => data.text);
  // @ts-expect-error not a command of the contract
  ws.on('calc.tock', () => undefined);
  ws.on('*', (data: unknown, message) => void message.name);
  ws.send('calc.add', { a: 1, b: 2 });
  // @ts-expect-error send checks the arguments too
  ws.send('calc.add', { a: 1 });
  // @ts-expect-error and the name
  ws.send('calc.nope');
}

// Without a contract: any name, any data, replies typed any (as JSON.parse's).
export async function untyped(): Promise<string> {
  const loose = new WsClient(url);
  const reply = await loose.request('whatever', { x: 1 });
  loose.on('anything', (data) => void data.field);
  loose.send('fire');
  return reply.text;
}
