import { Inject, Injectable, type Type } from '@nestjs/common';
import { WsCommandDataError } from '../errors/ws-command-data.error.js';
import type { WsSendOptions } from '../interfaces/delivery.interface.js';
import type { WsPriority, WsQueuePolicy, WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import type { WsCodec } from '../protocol/codec.interface.js';
import { SpaceCodecs } from '../protocol/space-codecs.js';
import { unixSeconds } from '../protocol/outbound-envelope.js';
import { resolvePolicy } from '../queue/queue-policy.js';
import { OUTBOX_ERRORS, type WriteResult } from '../queue/session-outbox.js';
import type { HookEntry, SpaceTable, WsCommandMetadata } from '../registry/registry-entries.js';
import { WsRegistry } from '../registry/ws.registry.js';
import type { FrameCache } from '../session/session-transport.interface.js';
import type { WsSession } from '../session/ws-session.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { DeliveryResult } from './delivery.js';

/** One outbound message on its way to one or many sessions; its bytes are encoded once, on first use. */
export interface Outgoing {
  name: string;
  data: unknown;
  options: WsSendOptions | undefined;
  /** The request id a reply echoes. */
  id?: string | number;
  /** Sessions skipped (`options.except`, or a packet's). */
  except?: ReadonlySet<string>;
  bytes?: Buffer;
  /**
   * Set for bytes sent as they are (`pushRaw`, ...): `bytes` is the frame, of this kind, and nothing is encoded.
   * `name` is then `''` and `data` what the app gave, for the send hooks.
   */
  raw?: { binary: boolean };
  /** The codec `bytes` were written with: a send to sessions of several spaces re-encodes only for another dialect. */
  encodedBy?: WsCodec;
  /** Where the socket transport keeps the frame of `bytes`, framed once for every recipient of this send. */
  frames?: FrameCache;
}

/** How a send treats a recipient whose `block` queue is full: one recipient is waited for, many never are. */
export type BlockedSends = 'wait' | 'pending';

/** `except: sid | sid[]` as a set, or `undefined` when nothing is skipped. */
export function exceptSet(except: string | readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (except === undefined) return undefined;
  if (typeof except === 'string') return new Set([except]);
  return except.length === 0 ? undefined : new Set(except);
}

/**
 * Runs a space's send hooks on one recipient's frame and returns what they left to send (`undefined` or `null`: a
 * hook swallowed it). The hooks take a `WsContext`, which sends through the broker: the pipeline builds the runner
 * and installs it at bootstrap, so the fan-out below never depends on the context above it.
 */
export type SendHookRunner = (hooks: HookEntry[], session: WsSession, out: Outgoing, frame: Buffer) => Buffer | string | undefined | null;

/**
 * Writes one message to the send queues of many sessions: encoded once, the same bytes for every recipient, with
 * the lane and policy of the send (its options, else its declared command, else the defaults). Send hooks run per
 * recipient, and only when the space has any, so a broadcast without hooks allocates nothing per session.
 */
@Injectable()
export class FanOut {
  private readonly defaultPolicy: WsQueuePolicy;
  private readonly validateOutbound: boolean;
  private sendHooks: SendHookRunner | undefined;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly registry: WsRegistry,
    private readonly counters: WsMetrics,
    private readonly validator: ArgsValidator,
    private readonly codecs: SpaceCodecs,
  ) {
    this.defaultPolicy = options.queuePolicy;
    this.validateOutbound = options.validateOutbound;
  }

  /** @internal Installed once at bootstrap by the pipeline, which builds the hooks' contexts. */
  useSendHooks(runner: SendHookRunner): void {
    this.sendHooks = runner;
  }

  /**
   * Sends to one session of this node, in its own space: a reply, or a push to a session found here. Async, so that
   * anything thrown while encoding (a circular or BigInt payload) is a rejected promise, never a throw out of an
   * event listener.
   */
  async toSession(session: WsSession, out: Outgoing): Promise<DeliveryResult> {
    return this.deliver([session], session.space, out, 'wait');
  }

  /**
   * The dispatcher's own reply (a handler's result, an acknowledgement) to one session of this node: what `toSession`
   * does without the array, the `Delivery` and the promise nobody reads. Synchronous, so a synchronous handler's reply
   * is written in the turn its frame arrived; it throws what encoding throws, and returns a promise only when a full
   * `block` queue is waited for. A refused write counts in `sendFailures`, as it does through `toSession`.
   */
  reply(session: WsSession, out: Outgoing): void | Promise<void> {
    const table = this.registry.table(session.space);
    const command = this.encode(table, session.space, out);
    const priority: WsPriority = out.options?.priority ?? command?.priority ?? 'normal';
    const policy = resolvePolicy(priority, out.options?.queuePolicy ?? command?.queuePolicy, this.defaultPolicy);
    // One recipient: no frame cache, its frame is made once anyway.
    const result = this.write(session, out.bytes!, table.hooks.send, out, priority, policy, undefined);
    if (result === undefined) return;
    if (result instanceof Promise) return result.then((error) => void this.countLate(error, session));
    this.counters.count(session.space, 'sendFailures');
  }

  /**
   * Delivers to sessions of one space, adding to `delivery`. A recipient whose `block` queue is full is waited for
   * (`wait`: one session) or counted as pending (`pending`: a send to many, which one slow peer must not hold).
   */
  deliver(
    targets: Iterable<WsSession>,
    space: string,
    out: Outgoing,
    blockedSends: BlockedSends,
    delivery = new DeliveryResult(),
  ): DeliveryResult | Promise<DeliveryResult> {
    const table = this.registry.table(space);
    const command = this.encode(table, space, out);
    const options = out.options;
    const bytes = out.bytes!;
    const priority: WsPriority = options?.priority ?? command?.priority ?? 'normal';
    const policy = resolvePolicy(priority, options?.queuePolicy ?? command?.queuePolicy, this.defaultPolicy);
    const hooks = table.hooks.send;
    const except = out.except;
    const frames = (out.frames ??= {});
    let blocked: Promise<void>[] | undefined;
    for (const session of targets) {
      if (except?.has(session.id)) continue;
      delivery.hit++;
      const result = this.write(session, bytes, hooks, out, priority, policy, frames);
      if (!(result instanceof Promise)) this.count(delivery, result, session);
      else if (blockedSends === 'wait') (blocked ??= []).push(result.then((error) => this.count(delivery, error, session)));
      else delivery.addPending(result.then((error) => this.countLate(error, session)));
    }
    return blocked ? Promise.all(blocked).then(() => delivery) : delivery;
  }

  /** Checks and encodes `out` for `space` (once per dialect); returns the command it names there, if declared. */
  private encode(table: SpaceTable, space: string, out: Outgoing): WsCommandMetadata | undefined {
    if (out.raw) return undefined;
    const command = table.commands.get(out.name)?.options;
    if (this.validateOutbound && command?.args) this.checkCommandData(out.name, command.args, out.data);
    const codec = this.codecs.codec(space);
    if (out.encodedBy !== codec) {
      const options = out.options;
      out.encodedBy = codec;
      out.bytes = codec.encode({
        code: options?.code ?? 0,
        name: out.name,
        data: out.data,
        text: options?.text ?? '',
        time: unixSeconds(),
        id: out.id,
      });
    }
    return command;
  }

  /** Adds one recipient's outcome; a refused send counts as a send failure of its space. */
  private count(delivery: DeliveryResult, error: Error | undefined, session: WsSession): void {
    if (error === undefined) {
      delivery.success++;
      return;
    }
    delivery.failed++;
    delivery.firstError ??= error;
    this.counters.count(session.space, 'sendFailures');
  }

  /** A pending recipient's late failure still counts in its space's `sendFailures`. */
  private countLate(error: Error | undefined, session: WsSession): Error | undefined {
    if (error !== undefined) this.counters.count(session.space, 'sendFailures');
    return error;
  }

  private write(session: WsSession, bytes: Buffer, hooks: HookEntry[], out: Outgoing, priority: WsPriority, policy: WsQueuePolicy, frames: FrameCache | undefined): WriteResult {
    if (session.closed) return OUTBOX_ERRORS.closed;
    let frame: Buffer | string | undefined | null = bytes;
    if (hooks.length > 0 && this.sendHooks) {
      frame = this.sendHooks(hooks, session, out, bytes);
      if (frame === undefined || frame === null) return undefined; // a hook may swallow a frame on purpose
    }
    return session.outbox.write(typeof frame === 'string' ? Buffer.from(frame) : frame, priority, policy, out.raw?.binary, frames);
  }

  private checkCommandData(name: string, cls: Type<unknown>, data: unknown): void {
    const plain = typeof data === 'object' && data !== null ? data : {};
    const errors = this.validator.validateSync(cls, plain);
    if (errors.length > 0) throw new WsCommandDataError(name, errors);
  }
}
