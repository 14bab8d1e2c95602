import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A forked process spoken to by request and reply over the IPC channel. Every call has a deadline, so a child
 * that hangs fails the measurement instead of hanging the bench.
 */
export class IpcChild {
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private stderr = '';
  /** Every chunk the child wrote to stdout or stderr, counted, so a caller can take what came since a mark. */
  private stderrTotal = 0;
  private stderrLog: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    // Nest logs warnings to stdout and errors to stderr: both are kept.
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderr = (this.stderr + text).slice(-4_000);
      // Bounded: the last 200 chunks are kept for `logSince`.
      this.stderrLog.push(text);
      this.stderrTotal++;
      if (this.stderrLog.length > 200) this.stderrLog.shift();
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id!);
      clearTimeout(waiter.timer);
      if (message.error) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result ?? message);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const waiter of this.pending.values()) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`${name} exited (${code}) ${this.stderr.trim()}`));
        }
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  /**
   * Forks `file` and waits for its first message (its "ready"), which it returns. With a `prefix` (e.g. `prlimit
   * --nofile=…`), node is spawned through it, keeping the IPC channel; `env` is added to this process' environment.
   */
  static async start(
    name: string,
    file: URL,
    execArgv: string[],
    readyTimeoutMs: number,
    launch: { prefix?: string[]; env?: Record<string, string> } = {},
  ): Promise<{ child: IpcChild; ready: any }> {
    const stdio: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];
    const env = { ...process.env, ...launch.env };
    const [command, ...prefixArgs] = launch.prefix ?? [];
    const process_ = command
      ? spawn(command, [...prefixArgs, process.execPath, ...execArgv, fileURLToPath(file)], { stdio, env })
      : fork(file, [], { execArgv, stdio, env });
    const child = new IpcChild(name, process_);
    const ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready after ${readyTimeoutMs} ms ${child.stderr}`)), readyTimeoutMs);
      child.child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before it was ready: ${child.stderr.trim()}`));
      });
    }).catch((err) => {
      child.kill();
      throw err;
    });
    return { child, ready };
  }

  /** A mark for `logSince`. */
  get logMark(): number {
    return this.stderrTotal;
  }

  /** What the child wrote (stdout and stderr) since `mark` (at most the last 200 chunks). */
  logSince(mark: number): string {
    return this.stderrLog.slice(Math.max(0, this.stderrLog.length - (this.stderrTotal - mark))).join('');
  }

  call<T>(request: object, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${JSON.stringify(request).slice(0, 80)} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ ...request, id });
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
