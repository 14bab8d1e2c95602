import type { WsPriority, WsQueuePolicy } from '../interfaces/ws-module-options.interface.js';

/** The policy a send uses: its own, else its command's, else the lane's default (high blocks, low drops). */
export function resolvePolicy(
  priority: WsPriority,
  explicit: WsQueuePolicy | undefined,
  moduleDefault: WsQueuePolicy,
): WsQueuePolicy {
  if (explicit) return explicit;
  if (priority === 'high') return 'block';
  if (priority === 'low') return 'drop';
  return moduleDefault;
}
