import type { ScenarioId } from '../harness/scenarios.js';
import type { ProtocolName } from '../protocols/index.js';

export interface ServerSpec {
  id: string;
  label: string;
  /** The compiled file beside this one. */
  file: string;
  protocol: ProtocolName;
  /** The server the ratios are taken of; every other one is a baseline. */
  subject?: boolean;
  /** The scenarios it takes part in, when not all of them (a baseline made for one comparison). */
  scenarios?: ScenarioId[];
}

/** Every server in the side-by-side, subject first. Ids are what `--servers` takes. */
export const SERVERS: ServerSpec[] = [
  { id: 'spaces', label: 'nestjs-ws-spaces', file: 'spaces.server.js', protocol: 'spaces', subject: true },
  { id: 'nest-ws', label: 'Nest gateway (WsAdapter)', file: 'nest-gateway.server.js', protocol: 'event' },
  { id: 'ws-naive', label: 'ws, naive', file: 'ws-naive.server.js', protocol: 'event' },
  { id: 'ws-tuned', label: 'ws, tuned', file: 'ws-tuned.server.js', protocol: 'event' },
  { id: 'socket.io', label: 'socket.io 4', file: 'socketio.server.js', protocol: 'socket.io' },
  {
    id: 'ws-coalesce',
    label: 'ws, frame once + cork per turn',
    file: 'ws-coalesce.server.js',
    protocol: 'event',
    scenarios: ['fanout', 'fanout10'],
  },
];
