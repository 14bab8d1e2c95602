import type { Logger } from '@nestjs/common';
import { describeError } from '../utils/describe-error.util.js';
import type { HookEntry } from '../registry/registry-entries.js';

/**
 * Runs lifecycle hooks in order, awaiting each. A hook that throws is logged and reported through `onError`
 * and the next one still runs: one bad hook must not keep a session from opening or closing.
 */
export async function runHooks(hooks: HookEntry[], ctx: unknown, logger: Logger, onError: () => void): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook.call(ctx);
    } catch (err) {
      onError();
      logger.error(`${hook.kind} hook ${hook.owner} threw: ${describeError(err)}`, (err as Error)?.stack);
    }
  }
}

/** Send hooks run synchronously, so a frame's bytes are settled before the next send can overtake it. */
export function runSendHooks(hooks: HookEntry[], ctx: unknown, logger: { error(message: string, stack?: string): void }, onError: () => void): void {
  for (const hook of hooks) {
    const failed = (err: unknown) => {
      onError();
      logger.error(`send hook ${hook.owner} threw: ${describeError(err)}`, (err as Error)?.stack);
    };
    try {
      const result = hook.call(ctx) as PromiseLike<unknown> | undefined;
      // An async send hook is not awaited (the bytes are written first), but its rejection must still be
      // contained: left unhandled, it would end the process.
      if (typeof result?.then === 'function') result.then(undefined, failed);
    } catch (err) {
      failed(err);
    }
  }
}
