import type { ServerSpec } from '../servers/catalog.js';
import type { ServerMemory } from '../servers/serve.js';
import type { ServerHandle } from './server-handle.js';

/** What `--serve` answers on `GET /info`: what it serves, and where. */
export interface ServeInfo {
  spec: ServerSpec;
  scenario: string;
  /** The nodes it started (two for the cluster scenario); clients reach them at the serving host. */
  nodes: Array<{ port: number; path: string }>;
  /** The file descriptors each node could be given, and why not more. */
  serverFds: number;
  fdReason?: string;
  machine: unknown;
}

/** The default port of `--serve`'s control endpoint; the first node listens on 9300, the next on 9301. */
export const CONTROL_PORT = 9309;
export const SERVE_PORT = 9300;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** A server started by `npm run bench -- --serve` on another machine, measured through its control endpoint. */
export class RemoteServer implements ServerHandle {
  constructor(
    readonly spec: ServerSpec,
    readonly url: string,
    readonly httpOrigin: string,
    private readonly control: string,
    private readonly node: number,
  ) {}

  static info(control: string): Promise<ServeInfo> {
    return getJson<ServeInfo>(`${control}/info`);
  }

  /** The handles of every node `--serve` started; the first is reached at `target` exactly as given. */
  static nodes(info: ServeInfo, target: string, control: string): RemoteServer[] {
    const { hostname } = new URL(target);
    return info.nodes.map((node, i) => {
      const origin = `http://${hostname}:${node.port}`;
      const url = i === 0 ? target : info.spec.protocol === 'socket.io' ? origin : `ws://${hostname}:${node.port}${node.path}`;
      return new RemoteServer(info.spec, url, origin, control, i);
    });
  }

  async memory(): Promise<ServerMemory> {
    return (await getJson<{ memory: ServerMemory }>(`${this.control}/memory?node=${this.node}`)).memory;
  }

  async cpu(): Promise<number> {
    return (await getJson<{ cpuUs: number }>(`${this.control}/cpu?node=${this.node}`)).cpuUs;
  }

  /** The server on the other machine keeps running between runs; `--serve` stops it (Ctrl-C, or its time bound). */
  async stop(): Promise<void> {}
}
