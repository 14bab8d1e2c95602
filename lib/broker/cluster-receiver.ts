import { Injectable } from '@nestjs/common';
import { ClusterDispatcher } from '../cluster/cluster-dispatcher.js';
import { ANY_SPACE, type DispatchPacket } from '../cluster/dispatch-packet.js';
import { SessionRegistry } from '../session/session.registry.js';
import type { WsSession } from '../session/ws-session.js';
import { exceptSet, FanOut, type Outgoing } from './fan-out.js';
import { pushTo, usersSessions } from './local-targets.js';
import { type RawPacketFields, rawFromPacket } from './raw-frame.js';

/**
 * Delivers the packets other nodes publish to this node's sessions, through the same fan-out as a local send;
 * never publishes again.
 */
@Injectable()
export class ClusterReceiver {
  constructor(
    cluster: ClusterDispatcher,
    private readonly sessions: SessionRegistry,
    private readonly fanOut: FanOut,
  ) {
    cluster.onReceive((packet) => this.deliver(packet));
  }

  private deliver(packet: DispatchPacket): void {
    const except = exceptSet(packet.except);
    const out: Outgoing = packet.raw
      ? rawFromPacket(packet as DispatchPacket & RawPacketFields, except)
      : { name: packet.msg!, data: packet.data, options: undefined, except };
    // What this throws (a forged packet's data refused by validateOutbound) the dispatcher logs, once per burst.
    for (const [space, targets] of this.targets(packet)) this.fanOut.deliver(targets, space, out, 'pending');
  }

  /** The sessions of this node a packet addresses, by space (spaces stay isolated across nodes). */
  private targets(packet: DispatchPacket): Map<string, Iterable<WsSession>> {
    const bySpace = new Map<string, Iterable<WsSession>>();
    if (packet.op === 'push' || packet.op === 'push_many') {
      const found = new Map<string, WsSession[]>();
      for (const sid of packet.op === 'push' ? [packet.sid!] : new Set(packet.sids)) {
        const session = this.sessions.get(sid);
        if (session && (packet.space === ANY_SPACE || session.space === packet.space)) pushTo(found, session.space, session);
      }
      return found;
    }
    const index = this.sessions.find(packet.space)!;
    let targets: Iterable<WsSession> | undefined;
    if (packet.op === 'push_user') targets = index.users.get(packet.uid!);
    else if (packet.op === 'push_users') targets = usersSessions(index, new Set(packet.uids));
    else if (packet.op === 'groupcast') targets = index.groups.get(packet.gid!);
    else targets = index.sessions.values();
    if (targets) bySpace.set(packet.space, targets);
    return bySpace;
  }
}
