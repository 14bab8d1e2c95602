/** The message of an Error, or the thrown value as text, for one log line. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
