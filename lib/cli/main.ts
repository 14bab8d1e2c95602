import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootExport, ContractInputError } from './boot-export.js';
import { diffContracts, formatChanges } from './contract-diff.js';
import { renderContractTypes, toContractFile, type WsContractFile } from './contract-file.js';

const USAGE = `usage:
  nestjs-ws-spaces contract <module-file.js> [--export Name] [--out dir]
      boots the app's module (compiled JS, its root module the default export or --export) without listening,
      and writes <dir>/contract.json and <dir>/contract.d.ts (type Contract) (dir: the current one)
  nestjs-ws-spaces contract diff <old.json> <new.json>
      lists the breaking and additive changes between two contract.json files; exits 1 when one is breaking`;

/** Exit codes: 0 done (no breaking change), 1 a breaking change, 2 a usage or input error. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || argv.includes('--help') || argv.includes('-h')) return usage(0);
  if (command !== 'contract' || rest.length === 0) return usage(2);
  if (rest[0] === 'diff') {
    if (rest.length !== 3) return usage(2);
    const changes = diffContracts(readContract(rest[1]), readContract(rest[2]));
    process.stdout.write(formatChanges(changes) + '\n');
    return changes.some((c) => c.kind === 'breaking') ? 1 : 0;
  }
  const { file, exportName, out } = parseGenerate(rest);
  const { exported, inherit } = await bootExport(file, exportName);
  const contract = toContractFile(exported, inherit);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'contract.json'), JSON.stringify(contract, null, 2) + '\n');
  writeFileSync(join(out, 'contract.d.ts'), renderContractTypes(contract));
  const spaces = Object.keys(contract.spaces).length;
  process.stdout.write(`wrote ${join(out, 'contract.json')} and ${join(out, 'contract.d.ts')}: ${contract.messages.length} messages, ${contract.commands.length} commands, ${spaces} space${spaces === 1 ? '' : 's'}\n`);
  return 0;
}

function parseGenerate(args: string[]): { file: string; exportName?: string; out: string } {
  let file: string | undefined;
  let exportName: string | undefined;
  let out = '.';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--export' || arg === '--out') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new ContractInputError(`${arg} needs a value`);
      if (arg === '--export') exportName = value;
      else out = value;
    } else if (arg.startsWith('--')) throw new ContractInputError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new ContractInputError(`one module file only (got ${file} and ${arg})`);
  }
  if (file === undefined) throw new ContractInputError('the module file is missing');
  return { file, exportName, out };
}

function readContract(path: string): WsContractFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ContractInputError(`cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const c = parsed as Partial<WsContractFile> | null;
  if (!c || typeof c.spaces !== 'object' || !Array.isArray(c.messages) || !Array.isArray(c.commands)) {
    throw new ContractInputError(`${path} is not a contract.json (no spaces, messages and commands)`);
  }
  return c as WsContractFile;
}

function usage(code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(USAGE + '\n');
  return code;
}

/** Runs `main` on the process' arguments and exits with its code; errors end as one line on stderr, code 2. */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`nestjs-ws-spaces: ${error instanceof ContractInputError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(2);
    },
  );
}
