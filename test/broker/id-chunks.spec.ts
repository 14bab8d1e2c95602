import { idChunks } from '../../lib/broker/id-chunks.js';
import { MAX_PACKET_TARGETS } from '../../lib/cluster/dispatch-packet.js';

describe('idChunks', () => {
  it('keeps a short list whole', () => {
    expect(idChunks(['a.1', 'a.2'], 1024)).toEqual([['a.1', 'a.2']]);
    expect(idChunks([], 1024)).toEqual([]);
  });

  it('splits by JSON bytes, keeping every id once and in order', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `node.${i}`);
    const chunks = idChunks(ids, 60);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(ids);
    for (const chunk of chunks) expect(JSON.stringify(chunk).length).toBeLessThanOrEqual(62);
  });

  it('splits by count at the most a receiver accepts', () => {
    const ids = Array.from({ length: MAX_PACKET_TARGETS + 1 }, (_, i) => String(i));
    expect(idChunks(ids, Infinity).map((c) => c.length)).toEqual([MAX_PACKET_TARGETS, 1]);
  });

  it('sends an id larger than the budget alone rather than never', () => {
    expect(idChunks(['x'.repeat(100), 'y'], 10)).toEqual([['x'.repeat(100)], ['y']]);
  });
});
