import type { SessionOutbox } from '../queue/session-outbox.js';
import type { TokenBucket } from '../utils/token-bucket.util.js';
import type { ResumeTicket } from './resume/resume-ticket.js';
import type { SessionTransport } from './session-transport.interface.js';

/** Facts of the HTTP upgrade request a session keeps. */
export interface WsRequestFacts {
  path: string;
  query: Record<string, string>;
  /** Only the headers the `keepHeaders` option allows, lower-cased. */
  headers: Record<string, string>;
  remoteAddress: string | undefined;
  /** The request's `Host` header (`example.com:8080`), as the client sent it; behind a proxy, the proxy's unless it forwards it. */
  host?: string;
  /** What `resolveSpace` read from the path (`{ id: '42' }` for `/rooms/42`); `{}` for a configured path. */
  params: Record<string, string>;
}

/**
 * One connection. Read its facts freely; change its user and groups through `WsContext`/`WsBroker`
 * so the space's indexes stay right. `locals` is yours.
 * @publicApi
 */
export class WsSession {
  /** Unique across nodes; the part before the last "." names the node that holds it. */
  readonly id: string;
  readonly space: string;
  readonly request: WsRequestFacts;
  readonly connectedAt = Date.now();
  /** The bound user, or `undefined`. */
  user: string | undefined = undefined;
  /** True from the moment the socket closed (or started closing on our side). */
  closed = false;

  /** @internal The user was established by the authenticator at upgrade: only `bindUser(..., { replace: true })` changes it. */
  userFromUpgrade = false;
  /** @internal Resolves when the open hooks have run; inbound messages wait for it. */
  opening: Promise<void> | undefined;
  /** @internal */
  readonly transport: SessionTransport;
  /** @internal The priority send queue every outbound frame goes through. */
  readonly outbox: SessionOutbox;
  /** @internal Last time a frame or a pong arrived (ms), for the read timeout. */
  lastSeen = Date.now();
  /** @internal The module-wide inbound rate limit of this session, when one is set. */
  inbound: TokenBucket | undefined;
  /** @internal The session's inbound byte budget (`rateLimit.bytesPerSecond`), when one is set. */
  inboundBytes: TokenBucket | undefined;
  /** @internal Per-message rate limits counted per session. */
  messageBuckets: Map<string, TokenBucket> | undefined;
  /** @internal Set when the session flooded past its rate limit; it is being closed, its frames are ignored. */
  flooded = false;
  /** @internal Option `resume`: the token the welcome carries, and how a resume went. */
  resume: ResumeTicket | undefined = undefined;
  /** @internal `groups`, once something read it or the session joined a group; read this to not make one. */
  groupSet: Set<string> | undefined = undefined;
  /** @internal `locals`, once something read or wrote it. */
  private localsObject: Record<string, unknown> | undefined = undefined;
  /** @internal Option `resume`: the socket dropped and the session waits to be resumed (no heartbeat meanwhile). */
  parked = false;

  constructor(id: string, space: string, request: WsRequestFacts, transport: SessionTransport, outbox: SessionOutbox) {
    this.id = id;
    this.space = space;
    this.request = request;
    this.transport = transport;
    this.outbox = outbox;
  }

  /** Groups this session is in, in this space. */
  get groups(): Set<string> {
    // Made on first use, like `locals`: many sessions never join a group.
    return (this.groupSet ??= new Set());
  }

  /** Application state for this connection. */
  get locals(): Record<string, unknown> {
    // Made on first use: most sessions never keep any, and an idle connection should cost as little as ws' own.
    return (this.localsObject ??= {});
  }

  /** Outbound messages waiting for this session's socket. */
  get queued(): number {
    return this.outbox.depth;
  }
}
