import type { WsRequestFacts } from '../ws-session.js';

/**
 * The resume token of an upgrade (`?resume=<token>`), taken out of the request's facts: it is a credential, so
 * the session's `request.query` never shows it to handlers, hooks or logs.
 */
export function takeResumeToken(facts: WsRequestFacts): string | undefined {
  const token = facts.query.resume;
  if (token === undefined) return undefined;
  delete facts.query.resume;
  return token.length > 0 && token.length <= 128 ? token : '';
}
