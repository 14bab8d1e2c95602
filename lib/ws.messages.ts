// Message factories: every bootstrap error names the culprit and, where it can, the fix.

export const DUPLICATE_HANDLER = (kind: string, name: string, space: string, first: string, second: string) =>
  `Two ${kind} handlers for "${name}" in space "${space}": ${first} and ${second}. Rename one or move it to another space.`;

export const RAW_IN_ENVELOPE_SPACE = (owner: string, space: string) =>
  `${owner} is a @WsRaw() handler of space "${space}", whose frames are envelopes. ` +
  `Make the space raw: spaces: { ${space}: { path, raw: true } }, or put the handler in a raw space.`;

export const TWO_RAW_HANDLERS = (space: string, first: string, second: string) =>
  `Two @WsRaw() handlers in raw space "${space}": ${first} and ${second}. A raw space has one; remove one or move it to another raw space.`;

export const UNKNOWN_SPACE = (space: string, where: string, known: string[]) =>
  `${where} belongs to space "${space}", which is not configured. Known spaces: ${known.join(', ')}. ` +
  `Add it to WsModule.forRoot({ spaces: { ${space}: '/path' } }).`;

export const INVALID_OPTION = (option: string, problem: string, value: unknown) =>
  `Invalid WsModule option "${option}": ${problem} (got ${describe(value)}).`;

export const LOST_UPGRADE = (path: string) =>
  `An upgrade to ${path} was destroyed by another upgrade listener of the HTTP server before WsModule saw it ` +
  `(@nestjs/platform-ws's WsAdapter destroys every path its gateways do not own). To serve @WebSocketGateway()s ` +
  `and the module's spaces on one port, use the module's adapter: app.useWebSocketAdapter(new WsSpacesAdapter(app)).`;

export const MISSING_PACKAGE = (pkg: string, why: string) =>
  `The package "${pkg}" is required ${why}. Install it with: npm install ${pkg}`;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
