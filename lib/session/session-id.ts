/**
 * Session ids are `<node>.<counter>`: unique across nodes because node ids are, and routable because the
 * owner of a sid can be read back from it without asking anyone.
 */
export class SessionIdFactory {
  private counter = 0;
  constructor(readonly nodeId: string) {}

  next(): string {
    return `${this.nodeId}.${(++this.counter).toString(36)}`;
  }
}

/** The node that holds a session id, or `undefined` for a string that is not one. */
export function nodeOfSessionId(sid: string): string | undefined {
  const dot = sid.lastIndexOf('.');
  return dot > 0 ? sid.slice(0, dot) : undefined;
}
