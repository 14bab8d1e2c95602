/**
 * The keys of an options type, written once as a record so that the compiler checks the list against the type:
 * a key of `T` missing here, or a key here that `T` does not have, is a compile error. Unknown keys in the user's
 * options are refused with these sets, so the type, the check and the error stay in step.
 */
export function optionKeys<T extends object>(keys: Record<keyof T, true>): ReadonlySet<string> {
  return new Set(Object.keys(keys));
}
