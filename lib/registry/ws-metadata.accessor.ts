import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { WsHandlerMetadata } from '../decorators/ws-handler.decorator.js';
import type { WsHookMetadata } from '../decorators/ws-hook.decorator.js';
import type { WsRawMetadata } from '../decorators/ws-raw.decorator.js';
import type { WsSpaceScopedOptions } from '../interfaces/ws-message-options.interface.js';
import {
  WS_COMMAND_METADATA,
  WS_FILTER_METADATA,
  WS_HANDLER_METADATA,
  WS_HOOK_METADATA,
  WS_MESSAGE_METADATA,
  WS_RAW_METADATA,
  WS_PREFIX_METADATA,
  WS_SPACE_METADATA,
} from '../ws.constants.js';
import type { WsCommandMetadata, WsMessageMetadata } from './registry-entries.js';

/** Typed reads of the decorators' metadata, so the explorer never sees a metadata key. */
@Injectable()
export class WsMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  space(target: Function): string | undefined {
    return this.reflector.get(WS_SPACE_METADATA, target);
  }

  /** The class's `@WsPrefix`, or '' (an inherited class's prefix applies to a subclass, as `@WsSpace` does). */
  prefix(target: Function): string {
    return this.reflector.get(WS_PREFIX_METADATA, target) ?? '';
  }

  commands(target: Function): WsCommandMetadata[] {
    return this.reflector.get(WS_COMMAND_METADATA, target) ?? [];
  }

  messages(method: Function): WsMessageMetadata[] {
    return this.reflector.get(WS_MESSAGE_METADATA, method) ?? [];
  }

  filter(method: Function): WsSpaceScopedOptions | undefined {
    return this.reflector.get(WS_FILTER_METADATA, method);
  }

  hooks(method: Function): WsHookMetadata[] {
    return this.reflector.get(WS_HOOK_METADATA, method) ?? [];
  }

  raw(method: Function): WsRawMetadata[] {
    return this.reflector.get(WS_RAW_METADATA, method) ?? [];
  }

  handlers(method: Function): WsHandlerMetadata[] {
    return this.reflector.get(WS_HANDLER_METADATA, method) ?? [];
  }
}
