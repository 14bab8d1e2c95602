import { WsIntrospection } from 'nestjs-ws-spaces';
import { renderContractTypes, toContractFile } from '../../../lib/cli/contract-file.js';
import { WS_RESOLVED_OPTIONS } from '../../../lib/ws.constants.js';
import { startCalcApp } from '../client-app.js';

/** The contract of the calc app (test/client/calc.handlers.ts), rendered as the CLI renders it. */
export async function renderCalcContract(): Promise<string> {
  const { app } = await startCalcApp();
  try {
    const inherit = app.get<symbol, { spaceInherit: Record<string, boolean | string[]> }>(WS_RESOLVED_OPTIONS).spaceInherit;
    return renderContractTypes(toContractFile(app.get(WsIntrospection).export(), inherit));
  } finally {
    await app.close();
  }
}
