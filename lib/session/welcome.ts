import type { WsSession } from './ws-session.js';

/**
 * The data of the welcome message (option `welcome`). Built here and nowhere else, so that what the welcome tells
 * a client (a resume token, later) grows in one place.
 * @publicApi
 */
export interface WsWelcome {
  /** The session's id: what `push(sid, ...)` and `close(sid)` take. */
  sid: string;
  space: string;
  /** The bound user after the open hooks, or `null`. */
  user: string | null;
  /** The id of the node that holds the session. */
  node: string;
  /** Option `resume`: the token to reconnect with (`?resume=<token>`), good for this session only, used once. */
  resume?: string;
  /** Option `resume`, when the client asked to resume: whether it got its session back (false: code 410). */
  resumed?: boolean;
}

/** The welcome's code when a resume was refused: the session is gone, the app re-establishes its state. */
export const RESUME_REFUSED = 410;

export function welcomeData(session: WsSession, node: string): WsWelcome {
  const data: WsWelcome = { sid: session.id, space: session.space, user: session.user ?? null, node };
  const ticket = session.resume;
  if (ticket) {
    data.resume = ticket.token;
    if (ticket.resumed !== undefined) data.resumed = ticket.resumed;
  }
  return data;
}

/** The welcome's envelope: high priority, and code 410 when the session asked to resume and could not. */
export function welcomeSendOptions(session: WsSession): { priority: 'high'; code?: number; text?: string } {
  if (session.resume?.resumed === false) return { priority: 'high', code: RESUME_REFUSED, text: 'session not resumed' };
  return { priority: 'high' };
}

/** The welcome's entry in the protocol export (a server message of every space), so AsyncAPI lists it too. */
export function welcomeExportEntry(name: string, resume = false) {
  const properties: Record<string, { type: 'string' | 'boolean'; description?: string }> = {
    sid: { type: 'string', description: 'the session id' },
    space: { type: 'string' },
    user: { type: 'string', description: 'the bound user, or null' },
    node: { type: 'string', description: 'the node that holds the session' },
  };
  if (resume) {
    properties.resume = { type: 'string', description: 'option resume: the token to reconnect with (?resume=<token>)' };
    properties.resumed = { type: 'boolean', description: 'option resume: whether the session asked for came back (false: code 410)' };
  }
  const args = { type: 'object' as const, properties, required: ['sid', 'space', 'user', 'node'] };
  return {
    name,
    space: 'default',
    desc: 'Sent once to every new session, after its open hooks and before any other frame.',
    args,
    response: { code: 0, name, data: { sid: 'n1.1', space: 'default', user: null, node: 'n1' }, text: '', time: 1770000000 },
    priority: 'high',
  };
}
