// The option-key lists of resolveOptions are records checked against the options types (optionKeys): a key the
// type gains or loses without the list following is a compile error, not a silent "is not a known option".
import { optionKeys } from '../../lib/options/option-keys.js';

interface Settings {
  path: string;
  limit?: number;
}

optionKeys<Settings>({ path: true, limit: true });

// @ts-expect-error an optional key of the type missing from the list
optionKeys<Settings>({ path: true });

// @ts-expect-error a key the type does not have
optionKeys<Settings>({ path: true, limit: true, extra: true });
