import { Injectable, Logger } from '@nestjs/common';
import { WsBroker } from '../broker/ws.broker.js';
import { WsContext } from '../context/ws-context.js';
import { WsMetrics } from '../metrics/ws-metrics.js';
import { WsRegistry } from '../registry/ws.registry.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { runHooks } from './hook-runner.js';

/** Opens and closes sessions: indexes them and runs the open and close hooks, close exactly once. */
@Injectable()
export class SessionLifecycle {
  private readonly logger = new Logger('WsSession');
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly broker: WsBroker,
    private readonly sessions: SessionRegistry,
    private readonly registry: WsRegistry,
    private readonly metrics: WsMetrics,
  ) {}

  /** Indexes the session, binds the user an authenticator established, then runs the open hooks. */
  open(session: WsSession, user?: string): void {
    this.sessions.add(session);
    if (user !== undefined) {
      this.sessions.find(session.space)!.bindUser(session, user);
      session.userFromUpgrade = true;
    }
    const hooks = this.registry.table(session.space).hooks.open;
    if (hooks.length === 0) return;
    // Inbound messages wait for `opening`, so a handler never sees a session its open hooks have not seen.
    session.opening = runHooks(hooks, this.context(session), this.logger, this.hookFailed(session)).then(() => {
      session.opening = undefined;
    });
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
    return new WsContext(this.broker, session, '', {});
  }

  private hookFailed(session: WsSession): () => void {
    return () => this.metrics.count(session.space, 'handlerErrors');
  }
}
