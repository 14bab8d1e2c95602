import { Injectable } from '@nestjs/common';
import { IsInt } from 'class-validator';
import { Redis } from 'ioredis';
import { WsBroker, WsCommand, WsContext, WsHook, WsMessage, WsMetrics, WsModule } from 'nestjs-ws-spaces';
import { ClusterDispatcher } from '../../lib/cluster/cluster-dispatcher.js';
import { SEQ_TRACKER_LIMITS } from '../../lib/cluster/seq-tracker.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';
import { TestRedis } from '../helpers/redis-server.js';
import { eventually, RecordingLogger, startApp, type RunningApp } from '../helpers/start-app.js';

class ScoreArgs {
  @IsInt()
  score!: number;
}

@Injectable()
@WsCommand('score', { args: ScoreArgs })
class Handlers {
  @WsMessage('login')
  login(ctx: WsContext<{ uid: string }>) {
    ctx.bindUser(ctx.args.uid);
    return 'ok';
  }

  @WsHook('send')
  refuseBoom(ctx: WsContext) {
    if (ctx.name === 'boom') throw new Error('this send hook refuses "boom"');
  }
}

const PREFIX = `untrusted${process.pid}`;
const SHARED = `${PREFIX}:_ws.dispatch`;

describe('Redis traffic is untrusted, and cheap to refuse', () => {
  let redis: TestRedis;
  let b: RunningApp;
  let publisher: Redis;
  const logger = new RecordingLogger();
  const total = () => b.app.get(WsMetrics).snapshot().total;
  /** Publishes `count` raw messages on the shared channel, made on the way, in pipelined batches. */
  async function publishMany(count: number, make: (i: number) => string): Promise<void> {
    for (let i = 0; i < count; i += 5000) {
      const batch = publisher.pipeline();
      for (let j = i; j < Math.min(count, i + 5000); j++) batch.publish(SHARED, make(j));
      await batch.exec();
    }
  }
  const publishAll = (messages: string[]) => publishMany(messages.length, (i) => messages[i]);
  const frame = (data: unknown, extra: object = {}) => JSON.stringify({ pattern: SHARED, data, ...extra });
  /** Waits until B took in (received or refused) `count` more packets than `before`. */
  async function handled(before: { clusterReceived: number; clusterRejected: number }, count: number, ms = 30_000): Promise<void> {
    const done = () => total().clusterReceived + total().clusterRejected - before.clusterReceived - before.clusterRejected >= count;
    expect(await eventually(done, ms)).toBe(true);
  }

  beforeAll(async () => {
    redis = await TestRedis.start();
    b = await startApp({ imports: [WsModule.forRoot({ redis: { url: redis.url, keyPrefix: PREFIX } })], providers: [Handlers] }, logger);
    publisher = new Redis(redis.port, '127.0.0.1');
    await redis.subscribed({ [SHARED]: 1 });
  });

  afterAll(async () => {
    publisher?.disconnect();
    await closeAllClients();
    await b?.close();
    await redis?.stop();
  });

  afterEach(closeAllClients);

  it('remembers a bounded number of origins: 300,000 forged origin ids leave at most the cap', async () => {
    const before = total();
    const forged = 300_000;
    // In batches, each taken in before the next is sent: a subscriber that falls far behind would be cut off by
    // Redis' pubsub output buffer limit, and the count would never complete.
    for (let i = 0; i < forged; i += 5000) {
      const batch = total();
      await publishMany(5000, (j) => frame({ op: 'broadcast', space: 'default', msg: 'x', node: `forged-${i + j}`, seq: 1 }));
      await handled(batch, 5000);
    }
    expect(total().clusterReceived - before.clusterReceived).toBe(forged);
    expect(b.app.get(ClusterDispatcher).trackedOrigins).toBeLessThanOrEqual(SEQ_TRACKER_LIMITS.maxOrigins);
  }, 90_000);

  it('remembers a bounded number of push targets: pushes to 12,000 made-up nodes leave at most the cap', async () => {
    const broker = b.app.get(WsBroker);
    for (let i = 0; i < 12_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => broker.push(`made-up-${i + j}.1`, 'x')));
    }
    expect(b.app.get(ClusterDispatcher).trackedTargets).toBeLessThanOrEqual(SEQ_TRACKER_LIMITS.maxOrigins);
  }, 60_000);

  it('counts an absurd sequence jump once, and goes on counting that origin', async () => {
    const before = total();
    const seqs = [1, 2, Number.MAX_SAFE_INTEGER - 7, 3, 4, 6];
    await publishAll(seqs.map((seq) => frame({ op: 'broadcast', space: 'default', msg: 'x', node: 'jumper', seq })));
    await handled(before, seqs.length);
    // The jump up and the return each reset the origin (one each); 4 → 6 lost one packet.
    expect(total().seqGaps - before.seqGaps).toBe(3);
  });

  it('logs once per burst whatever packets make go wrong, and counts each', async () => {
    const client = await connect(b.wsUrl());
    await client.request('login', { uid: 'target' });
    const lines = () => logger.lines.error.length + logger.lines.warn.length;
    const linesBefore = lines();
    const before = total();
    const packets = [
      // refused by validateOutbound: the declared command's data is wrong
      ...Array.from({ length: 2000 }, (_, seq) => frame({ op: 'broadcast', space: 'default', msg: 'score', data: { score: 'x' }, node: 'bad-data', seq })),
      // a send hook throws for every recipient
      ...Array.from({ length: 2000 }, (_, seq) => frame({ op: 'push_user', space: 'default', uid: 'target', msg: 'boom', node: 'boomer', seq })),
      // refused by validation
      ...Array.from({ length: 2000 }, (_, seq) => frame({ op: 'explode', space: 'default', msg: 'x', node: 'bad-op', seq })),
      ...Array.from({ length: 1000 }, () => 'not json at all'),
    ];
    await publishAll(packets);
    await handled(before, packets.length);
    expect(total().clusterRejected - before.clusterRejected).toBe(3000);
    expect(total().handlerErrors - before.handlerErrors).toBe(4000);
    expect(lines() - linesBefore).toBeLessThanOrEqual(6);
    expect(client.received.filter((e) => e.name === 'score')).toEqual([]);
  }, 60_000);

  it('never publishes because of a packet: a forged request id gets no reply', async () => {
    const observer = new Redis(redis.port, '127.0.0.1');
    const seen: string[] = [];
    // The node's own presence announcements (the directory telling others which users and groups it holds) are
    // not caused by a packet: they are set aside, and subtracted from what the node counts as published.
    let presence = 0;
    observer.on('pmessage', (_pattern, channel, message: string) => {
      if (message.includes('"op":"presence"')) presence++;
      else seen.push(channel);
    });
    await observer.psubscribe('*');
    try {
      const before = total();
      presence = 0;
      const good = { op: 'broadcast', space: 'default', msg: 'x', node: 'asker', seq: 1 };
      const packets = [
        ...Array.from({ length: 500 }, (_, i) => frame({ ...good, seq: i + 1 }, { id: `req-${i}` })),
        ...Array.from({ length: 500 }, (_, i) => frame({ ...good, op: 'nope' }, { id: i })),
      ];
      await publishAll(packets);
      await handled(before, packets.length);
      // A fence: a publish after every packet was handled; a reply published meanwhile would be seen before it.
      await redis.publish(`${PREFIX}:fence`);
      expect(await eventually(() => seen.includes(`${PREFIX}:fence`))).toBe(true);
      seen.pop();
      expect(seen.filter((channel) => channel !== SHARED)).toEqual([]);
      expect(seen).toHaveLength(packets.length);
      expect(total().clusterPublished - before.clusterPublished - presence).toBe(0);
    } finally {
      observer.disconnect();
    }
  });
});
