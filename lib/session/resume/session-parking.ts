import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { WsResolvedOptions } from '../../interfaces/ws-module-options.interface.js';
import { WsMetrics } from '../../observability/ws-metrics.js';
import { WS_RESOLVED_OPTIONS } from '../../ws.constants.js';
import type { SessionTransport } from '../session-transport.interface.js';
import type { WsSession } from '../ws-session.js';
import { leavesSessionParked } from './park-policy.js';
import { ResumableTransport } from './resumable.transport.js';

/** What the welcome tells about recovery: the token to come back with, and how a resume went. */
export type { ResumeTicket } from './resume-ticket.js';

interface Parked {
  timer: NodeJS.Timeout;
  end: (session: WsSession) => void;
}

/**
 * Session recovery (option `resume`). Every session of a space with a welcome gets a token (in the welcome's
 * `resume`), spent on use and replaced by a fresh one. When its socket closes uncleanly (`leavesSessionParked`),
 * the session stays in the indexes with its user and groups, its frames go to a buffer of `buffer` frames, and a
 * timer of `window` runs; a client that upgrades with `?resume=<token>` meanwhile gets it back. The session ends
 * for good (close hooks, exactly once) when the window passes, the buffer overflows, or the app closes it.
 * Tokens are node-local in this release: a client must come back to the same node.
 */
@Injectable()
export class SessionParking implements OnModuleDestroy {
  private readonly logger = new Logger('WsSession');
  private readonly settings: WsResolvedOptions['resume'];
  private readonly rawSpaces: ReadonlySet<string>;
  private readonly tokens = new Map<string, WsSession>();
  private readonly parked = new Map<WsSession, Parked>();
  private stopping = false;

  constructor(
    @Inject(WS_RESOLVED_OPTIONS) private readonly options: WsResolvedOptions,
    private readonly metrics: WsMetrics,
  ) {
    this.settings = options.resume;
    this.rawSpaces = new Set(options.rawSpaces);
  }

  /** The transport of a new session: resumable where recovery is on (spaces with a welcome), else `socket`. */
  transportFor(space: string, socket: SessionTransport): SessionTransport | undefined {
    return this.settings && !this.rawSpaces.has(space) ? new ResumableTransport(socket) : undefined;
  }

  /** Gives a session the token its next welcome carries; the one it had is spent. */
  issue(session: WsSession, resumed?: boolean): void {
    if (!(session.transport instanceof ResumableTransport)) return;
    if (session.resume) this.tokens.delete(session.resume.token);
    const token = `${this.options.nodeId}.${randomBytes(24).toString('base64url')}`;
    session.resume = resumed === undefined ? { token } : { token, resumed };
    this.tokens.set(token, session);
  }

  /**
   * The parked session a resume token names in this space, taken off its timer, or `undefined` (counted as a
   * failure): an unknown or spent token, another space's, a session that is not parked, another user's.
   */
  claim(token: string, space: string, user: string | undefined): WsSession | undefined {
    const session = this.tokens.get(token);
    const parked = session && this.parked.get(session);
    // A buffer that overflowed ends its session a microtask later; until then it is refused like an ended one.
    const kept = session?.transport instanceof ResumableTransport && session.transport.parked && session.transport.isOpen;
    if (!session || !parked || !kept || session.space !== space || (user !== undefined && user !== session.user)) {
      this.metrics.count(space, 'resumeFailures');
      return undefined;
    }
    clearTimeout(parked.timer);
    this.parked.delete(session);
    this.tokens.delete(token);
    session.resume = undefined;
    session.parked = false;
    this.metrics.count(space, 'resumed');
    return session;
  }

  /**
   * Puts a claimed session on the client's new socket: the frames kept meanwhile wait behind the welcome, which
   * carries `resumed: true` and a fresh token.
   */
  attach(session: WsSession, socket: SessionTransport): void {
    (session.transport as ResumableTransport).resume(socket);
    this.issue(session, true);
  }

  /**
   * The socket of a session closed: parks the session when the close was unclean and the session can be resumed,
   * otherwise ends it now (`end` runs the close hooks).
   */
  socketClosed(session: WsSession, code: number, end: (session: WsSession) => void): void {
    const transport = session.transport;
    const settings = this.settings;
    const parkable =
      settings && !this.stopping && transport instanceof ResumableTransport && !transport.closedByServer &&
      !session.closed && !session.opening && session.resume !== undefined && leavesSessionParked(code);
    if (!parkable) return this.finish(session, end);
    session.parked = true;
    const entry: Parked = {
      timer: setTimeout(() => this.expire(session), settings.window),
      end,
    };
    entry.timer.unref();
    this.parked.set(session, entry);
    // Overflow or close(sid) while parked: ended outside the send that caused it.
    transport.park(settings.buffer, () => queueMicrotask(() => this.expire(session)));
  }

  /** Shutdown: nothing is parked from now on, and what is parked ends (its close hooks run, shutdown awaits them). */
  onModuleDestroy(): void {
    this.stopping = true;
    for (const session of [...this.parked.keys()]) this.expire(session);
  }

  private expire(session: WsSession): void {
    const parked = this.parked.get(session);
    if (!parked) return;
    clearTimeout(parked.timer);
    this.parked.delete(session);
    session.parked = false;
    this.finish(session, parked.end);
  }

  private finish(session: WsSession, end: (session: WsSession) => void): void {
    if (session.resume) this.tokens.delete(session.resume.token);
    try {
      end(session);
    } catch (err) {
      this.logger.error(err);
    } finally {
      if (session.transport instanceof ResumableTransport) session.transport.end();
    }
  }
}
