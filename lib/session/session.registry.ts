import { Inject, Injectable } from '@nestjs/common';
import type { WsResolvedOptions } from '../interfaces/ws-module-options.interface.js';
import { WS_RESOLVED_OPTIONS } from '../ws.constants.js';
import { SessionIdFactory } from './session-id.js';
import { SpaceIndex } from './space-index.js';
import type { WsSession } from './ws-session.js';

/** Every live session of this node, by id and by space. */
@Injectable()
export class SessionRegistry {
  readonly ids: SessionIdFactory;
  private readonly all = new Map<string, WsSession>();
  private readonly spaces = new Map<string, SpaceIndex>();

  constructor(@Inject(WS_RESOLVED_OPTIONS) options: WsResolvedOptions) {
    this.ids = new SessionIdFactory(options.nodeId);
    for (const space of Object.keys(options.spaces)) this.spaces.set(space, new SpaceIndex(space));
  }

  get size(): number {
    return this.all.size;
  }

  add(session: WsSession): void {
    this.all.set(session.id, session);
    this.space(session.space).add(session);
  }

  /** Removes a session from every index; false when it was already gone. */
  remove(session: WsSession): boolean {
    if (!this.all.delete(session.id)) return false;
    this.space(session.space).remove(session);
    return true;
  }

  get(sid: string): WsSession | undefined {
    return this.all.get(sid);
  }

  values(): IterableIterator<WsSession> {
    return this.all.values();
  }

  /** The index of a configured space; `undefined` for a name that is not one. */
  find(space: string): SpaceIndex | undefined {
    return this.spaces.get(space);
  }

  private space(name: string): SpaceIndex {
    return this.spaces.get(name)!;
  }
}
