/** The five fixed fields of every outbound message, plus `id` on replies to a request that had one. */
export interface OutboundEnvelope {
  code: number;
  name: string;
  data: unknown;
  text: string;
  time: number;
  id?: string | number;
}

/** Unix seconds, the unit of `time` on the wire. */
export const unixSeconds = (): number => Math.floor(Date.now() / 1000);
