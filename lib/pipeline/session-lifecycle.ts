import { Inject, Injectable, Logger } from '@nestjs/common';
import { WsContext } from '../context/ws-context.js';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../observability/ws-metrics.js';
import { WsRegistry } from '../registry/ws.registry.js';
import { SessionRegistry } from '../session/session.registry.js';
import { welcomeData, welcomeSendOptions } from '../session/welcome.js';
import { ResumableTransport } from '../session/resume/resumable.transport.js';
import { WelcomeFirstTransport } from '../session/welcome-first.transport.js';
import type { WsSession } from '../session/ws-session.js';
import { describeError } from '../utils/describe-error.util.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { ContextWiring } from './context-wiring.js';
import { runHooks } from './hook-runner.js';

/**
 * Opens and closes sessions: indexes them, runs the open hooks, greets them (option `welcome`), and runs the close
 * hooks exactly once.
 */
@Injectable()
export class SessionLifecycle {
  private readonly logger = new Logger(SessionLifecycle.name);
  private readonly closing = new Set<Promise<void>>();
  private readonly welcome: string | false;
  private readonly rawSpaces: ReadonlySet<string>;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions,
    private readonly wiring: ContextWiring,
    private readonly sessions: SessionRegistry,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
  ) {
    this.welcome = options.welcome;
    this.rawSpaces = new Set(options.rawSpaces);
  }

  /** Indexes the session, binds the user an authenticator established, runs the open hooks, then greets it. */
  open(session: WsSession, user?: string): void {
    this.sessions.add(session);
    if (user !== undefined) {
      this.sessions.find(session.space)!.bindUser(session, user);
      session.userFromUpgrade = true;
    }
    const hooks = this.registry.table(session.space).hooks.open;
    if (hooks.length === 0) return this.greet(session);
    // Inbound messages wait for `opening`, so a handler never sees a session its open hooks have not seen, and
    // every reply follows the welcome.
    session.opening = runHooks(hooks, this.context(session), this.logger, this.hookFailed(session)).then(() => {
      this.greet(session);
      session.opening = undefined;
    });
  }

  /**
   * Sends the welcome through the broker like any push (its encoder, the space's envelope, send hooks, queue,
   * metrics), ahead of every frame held while the session opened (or, resumed, the frames kept while it was away).
   */
  greet(session: WsSession): void {
    // A raw space speaks no envelope, so it has no welcome to send (its sockets are not held for one either).
    if (this.welcome === false || this.rawSpaces.has(session.space)) return;
    const name = this.welcome;
    const send = () => {
      this.wiring.reply(session, name, welcomeData(session, this.wiring.broker.nodeId), welcomeSendOptions(session), undefined).catch((err) => {
        this.logger.error(`welcome to session ${session.id} failed: ${describeError(err)}`);
      });
    };
    if (session.transport instanceof WelcomeFirstTransport || session.transport instanceof ResumableTransport) session.transport.release(send);
    else send();
  }

  /**
   * Called from the socket's close event, which `ws` emits once; removal from the registry makes it once
   * even if called again. Never rejects: hooks are contained by the runner.
   */
  close(session: WsSession): Promise<void> {
    if (!this.sessions.remove(session)) return Promise.resolve();
    session.closed = true;
    session.outbox.dispose();
    const done = this.runCloseHooks(session).finally(() => this.closing.delete(done));
    this.closing.add(done);
    return done;
  }

  /** Resolves when every close hook started so far has finished; shutdown waits for it. */
  async settled(): Promise<void> {
    while (this.closing.size > 0) await Promise.all(this.closing);
  }

  private async runCloseHooks(session: WsSession): Promise<void> {
    if (session.opening) await session.opening;
    const hooks = this.registry.table(session.space).hooks.close;
    if (hooks.length > 0) await runHooks(hooks, this.context(session), this.logger, this.hookFailed(session));
  }

  private context(session: WsSession): WsContext {
    return new WsContext(this.wiring, session, '', {});
  }

  private hookFailed(session: WsSession): () => void {
    return () => this.metrics.count(session.space, 'handlerErrors');
  }
}
