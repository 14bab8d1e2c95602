/** Appends to an array of metadata, so a decorator can be stacked on one target. */
export function appendMetadata<T>(key: string, value: T, target: object): void {
  const current: T[] = Reflect.getMetadata(key, target) ?? [];
  Reflect.defineMetadata(key, [...current, value], target);
}
