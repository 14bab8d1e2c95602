import type { ExternalContextCreator } from '@nestjs/core';
import type { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';

/** The filters that apply to one handler: `invokeCustomFilters` answers `undefined` when none handled it. */
export interface HandlerFilters {
  invokeCustomFilters(exception: unknown, host: ExecutionContextHost): unknown;
}

interface FiltersContextCreator {
  create(instance: object, callback: Function, moduleKey: string): HandlerFilters;
  createContext(instance: object, callback: Function, metadataKey: string): unknown[];
}

/** Nest's guard and interceptor context creators: `create` lists what applies to a handler, global ones included. */
interface EnhancerContextCreator {
  create(instance: object, callback: Function, moduleKey: string): unknown[];
}

/**
 * The context creators `ExternalContextCreator` composes with: its private members, which Nest 12 offers no
 * public way to reach (see README, "What we use of Nest and `ws` beyond their public API"). Read in this one
 * place, each feature-detected: what is missing is `undefined`, and the caller falls back to Nest's public path.
 */
export interface NestEnhancerContexts {
  filters: FiltersContextCreator | undefined;
  guards: EnhancerContextCreator | undefined;
  interceptors: EnhancerContextCreator | undefined;
}

export function nestEnhancerContexts(creator: ExternalContextCreator): NestEnhancerContexts {
  const members = creator as unknown as Record<'filtersContextCreator' | 'guardsContextCreator' | 'interceptorsContextCreator', unknown>;
  const has = <T>(value: unknown, ...methods: string[]): T | undefined =>
    typeof value === 'object' && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function') ? (value as T) : undefined;
  return {
    filters: has<FiltersContextCreator>(members.filtersContextCreator, 'create', 'createContext'),
    guards: has<EnhancerContextCreator>(members.guardsContextCreator, 'create'),
    interceptors: has<EnhancerContextCreator>(members.interceptorsContextCreator, 'create'),
  };
}
