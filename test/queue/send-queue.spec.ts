import { SendQueue } from '../../lib/queue/send-queue.js';
import { resolvePolicy } from '../../lib/queue/queue-policy.js';

const frame = (label: string, size = 10) => Buffer.from(label.padEnd(size, '.'));
const drain = (queue: SendQueue) => {
  const out: string[] = [];
  for (let f = queue.take(); f; f = queue.take()) out.push(f.toString().replace(/\.+$/, ''));
  return out;
};

describe('SendQueue', () => {
  it('serves high, then normal, then low, each in order', () => {
    const queue = new SendQueue({ maxMessages: 10, maxBytes: 1000 });
    queue.offer(frame('l1'), 'low');
    queue.offer(frame('n1'), 'normal');
    queue.offer(frame('h1'), 'high');
    queue.offer(frame('n2'), 'normal');
    queue.offer(frame('h2'), 'high');
    expect(drain(queue)).toEqual(['h1', 'h2', 'n1', 'n2', 'l1']);
  });

  it('refuses a frame past the message bound, changing nothing', () => {
    const queue = new SendQueue({ maxMessages: 2, maxBytes: 1000 });
    expect(queue.offer(frame('a'), 'normal')).toBe(0);
    expect(queue.offer(frame('b'), 'normal')).toBe(0);
    expect(queue.offer(frame('c'), 'normal')).toBe(-1);
    expect(queue.size).toBe(2);
  });

  it('refuses a frame past the byte bound', () => {
    const queue = new SendQueue({ maxMessages: 100, maxBytes: 25 });
    expect(queue.offer(frame('a', 20), 'normal')).toBe(0);
    expect(queue.offer(frame('b', 10), 'normal')).toBe(-1);
    expect(queue.bytes).toBe(20);
  });

  it('evicts queued low frames to make room for higher ones: low is dropped first', () => {
    const queue = new SendQueue({ maxMessages: 3, maxBytes: 1000 });
    queue.offer(frame('l1'), 'low');
    queue.offer(frame('l2'), 'low');
    queue.offer(frame('n1'), 'normal');
    expect(queue.offer(frame('n2'), 'normal')).toBe(1);
    expect(queue.offer(frame('h1'), 'high')).toBe(1);
    expect(queue.offer(frame('n3'), 'normal')).toBe(-1);
    expect(queue.offer(frame('l3'), 'low')).toBe(-1);
    expect(drain(queue)).toEqual(['h1', 'n1', 'n2']);
  });

  it('does not evict anything when even that would not make room', () => {
    const queue = new SendQueue({ maxMessages: 10, maxBytes: 30 });
    queue.offer(frame('l1', 10), 'low');
    queue.offer(frame('n1', 15), 'normal');
    expect(queue.offer(frame('big', 25), 'high')).toBe(-1);
    expect(queue.size).toBe(2);
  });

  it('keeps order across many frames (head index, compaction)', () => {
    const queue = new SendQueue({ maxMessages: 1000, maxBytes: 1e6 });
    const taken: string[] = [];
    for (let i = 0; i < 500; i++) {
      queue.offer(Buffer.from(String(i)), 'normal');
      if (i % 3 === 0) taken.push(queue.take()!.toString());
    }
    for (let f = queue.take(); f; f = queue.take()) taken.push(f.toString());
    expect(taken).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
  });
});

describe('resolvePolicy', () => {
  it('defaults high to block, low to drop and normal to the module policy; an explicit policy wins', () => {
    expect(resolvePolicy('high', undefined, 'close')).toBe('block');
    expect(resolvePolicy('low', undefined, 'close')).toBe('drop');
    expect(resolvePolicy('normal', undefined, 'close')).toBe('close');
    expect(resolvePolicy('low', 'close', 'drop')).toBe('close');
  });
});
