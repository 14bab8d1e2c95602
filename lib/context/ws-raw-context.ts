import type { WsContextWiring } from './context-wiring.js';
import type { WsSession } from '../session/ws-session.js';
import { WsContext } from './ws-context.js';

/**
 * What a `@WsRaw()` handler (and the filters and receive hooks of a raw space) works with: the frame as it came,
 * and the whole `WsContext` API around it. `ctx.args` is the same value as `ctx.data`, so guards and pipes that
 * read the arguments see the frame. The message name is `''`: a raw frame has none.
 * @publicApi
 */
export class WsRawContext extends WsContext<Buffer | string> {
  constructor(
    wiring: WsContextWiring,
    session: WsSession,
    /** The frame: a string for a text frame, a Buffer for a binary one. */
    readonly data: Buffer | string,
    /** True for a binary frame. */
    readonly isBinary: boolean,
    input: Buffer,
  ) {
    super(wiring, session, '', data, undefined, input);
  }
}
