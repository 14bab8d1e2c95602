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
}

export function welcomeData(session: WsSession, node: string): WsWelcome {
  return { sid: session.id, space: session.space, user: session.user ?? null, node };
}

/** The welcome's entry in the protocol export (a server message of every space), so AsyncAPI lists it too. */
export function welcomeExportEntry(name: string) {
  const args = {
    type: 'object' as const,
    properties: {
      sid: { type: 'string' as const, description: 'the session id' },
      space: { type: 'string' as const },
      user: { type: 'string' as const, description: 'the bound user, or null' },
      node: { type: 'string' as const, description: 'the node that holds the session' },
    },
    required: ['sid', 'space', 'user', 'node'],
  };
  return {
    name,
    space: 'default',
    desc: 'Sent once to every new session, after its open hooks and before any other frame.',
    args,
    response: { code: 0, name, data: { sid: 'n1.1', space: 'default', user: null, node: 'n1' }, text: '', time: 1770000000 },
    priority: 'high',
  };
}
