import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { HandlerFactory } from '../pipeline/handler-factory.js';
import { ArgsValidator } from '../validation/args-validator.js';
import { DEFAULT_SPACE } from '../ws.constants.js';
import { WsMetadataAccessor } from './ws-metadata.accessor.js';
import { WsRegistry } from './ws.registry.js';

/**
 * Finds decorated providers and controllers at `onModuleInit` and fills the registry. Request-scoped
 * providers cannot serve sockets (there is no request to scope them to), so they are skipped with a warning.
 */
@Injectable()
export class WsExplorer implements OnModuleInit {
  private readonly logger = new Logger(WsExplorer.name);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: WsMetadataAccessor,
    private readonly registry: WsRegistry,
    private readonly handlers: HandlerFactory,
    private readonly validator: ArgsValidator,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    // An alias (`useExisting`) is a second wrapper around the same instance: explore each instance once, or its
    // handlers would collide with themselves.
    const seen = new Set<object>();
    for (const wrapper of wrappers) this.explore(wrapper, seen);
    this.registry.seal();
  }

  private explore(wrapper: InstanceWrapper, seen: Set<object>): void {
    const { instance } = wrapper;
    if (!instance || typeof instance !== 'object' || seen.has(instance)) return;
    seen.add(instance);
    // A useValue/useFactory provider has no metatype of its own: its instance's class carries the decorators.
    const type = (!wrapper.metatype || wrapper.inject ? instance.constructor : wrapper.metatype) as Function;
    const prototype = Object.getPrototypeOf(instance);
    const classSpace = this.accessor.space(type) ?? DEFAULT_SPACE;
    const className = type.name || 'anonymous';
    // `@WsPrefix` makes the declared names full names here, so everything downstream sees only those.
    const prefix = this.accessor.prefix(type);
    const named = <T extends { name: string }>(declared: T): T => (prefix ? { ...declared, name: prefix + declared.name } : declared);

    const commands = this.accessor.commands(type).map(named);
    const methods = this.scanner.getAllMethodNames(prototype);
    const decorated = methods.filter((m) => this.isDecorated(prototype[m]));
    if (!wrapper.isDependencyTreeStatic() && (commands.length || decorated.length)) {
      this.logger.warn(`${className} is request-scoped; its WebSocket handlers are ignored. Make it a singleton.`);
      return;
    }

    for (const command of commands) {
      if (command.args) this.validator.ensureLoaded(`command "${command.name}" of ${className}`);
      this.registry.addCommand({ name: command.name, space: command.space ?? classSpace, owner: className, options: command });
    }
    for (const methodName of decorated) {
      const method = prototype[methodName] as (...args: unknown[]) => unknown;
      const owner = `${className}.${methodName}`;
      const call = method.bind(instance);
      const messages = this.accessor.messages(method).map(named);
      const raws = this.accessor.raw(method);
      const handler = messages.length > 0 || raws.length > 0 ? this.handlers.create(instance, methodName) : undefined;
      for (const options of messages) {
        const space = options.space ?? classSpace;
        if (options.args) {
          this.validator.ensureLoaded(owner);
          this.validator.assertDeclaresFields(options.args, options.name, owner);
        }
        this.registry.addMessage({ name: options.name, space, owner, options, instance, methodName, handler: handler! });
      }
      for (const raw of raws) {
        this.registry.addRaw({ space: raw.space ?? classSpace, owner, instance, methodName, handler: handler! });
      }
      const filter = this.accessor.filter(method);
      if (filter) this.registry.addFilter({ space: filter.space ?? classSpace, owner, call });
      for (const hook of this.accessor.hooks(method)) {
        this.registry.addHook({ kind: hook.kind, space: hook.space ?? classSpace, owner, call });
      }
      for (const handler of this.accessor.handlers(method)) {
        this.registry.addHandler({ kind: handler.kind, space: handler.space ?? classSpace, owner, call });
      }
    }
  }

  private isDecorated(method: unknown): boolean {
    if (typeof method !== 'function') return false;
    return (
      this.accessor.messages(method).length > 0 ||
      this.accessor.filter(method) !== undefined ||
      this.accessor.hooks(method).length > 0 ||
      this.accessor.handlers(method).length > 0 ||
      this.accessor.raw(method).length > 0
    );
  }
}
