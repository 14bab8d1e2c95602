import type { ClientProtocol } from './client-protocol.interface.js';
import { eventProtocol } from './event.protocol.js';
import { socketIoProtocol } from './socketio.protocol.js';
import { spacesProtocol } from './spaces.protocol.js';

export type ProtocolName = 'spaces' | 'event' | 'socket.io';

export const protocols: Record<ProtocolName, ClientProtocol> = {
  spaces: spacesProtocol,
  event: eventProtocol,
  'socket.io': socketIoProtocol,
};
