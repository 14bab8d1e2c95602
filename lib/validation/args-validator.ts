import type { Type } from '@nestjs/common';
import { createRequire } from 'node:module';
import { WsConfigError } from '../errors/ws-config.error.js';
import { MISSING_PACKAGE } from '../ws.messages.js';

/** One failed constraint, as a 400 reply lists it in `data`. */
export interface WsFieldError {
  field: string;
  constraint: string;
  message: string;
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

interface ClassValidator {
  validate(target: object, options?: object): Promise<ValidationErrorLike[]>;
  validateSync(target: object, options?: object): ValidationErrorLike[];
  getMetadataStorage(): {
    getTargetValidationMetadatas(target: Function, schema: string, always: boolean, strictGroups: boolean): unknown[];
  };
}

interface ClassTransformer {
  plainToInstance(cls: Type<unknown>, plain: unknown): object;
}

export interface ArgsValidationOptions {
  whitelist: boolean;
  forbidNonWhitelisted: boolean;
}

/**
 * Transforms plain arguments into an instance of their class and validates it with class-validator.
 * Both packages are optional peers, loaded the first time an argument class is met: an app without argument
 * classes needs neither, and an app with them shares its own copies (one metadata storage, not two).
 */
export class ArgsValidator {
  private validator: ClassValidator | undefined;
  private transformer: ClassTransformer | undefined;

  constructor(private readonly options: ArgsValidationOptions) {}

  /** Loads the packages now, so a missing one fails the bootstrap instead of the first message. */
  ensureLoaded(owner: string): void {
    if (this.validator && this.transformer) return;
    const require = createRequire(import.meta.url);
    try {
      this.validator = require('class-validator') as ClassValidator;
      this.transformer = require('class-transformer') as ClassTransformer;
    } catch {
      throw new WsConfigError(MISSING_PACKAGE('class-validator and class-transformer', `by the argument class of ${owner}`));
    }
  }

  /**
   * Refuses, at bootstrap, an args class that declares no field. Under `whitelist` (the default) class-validator
   * strips every property without a decorator, so such a class would hand its handler `{}` for any input: a
   * silent data loss that looks like a client bug. Inherited decorators count.
   */
  assertDeclaresFields(cls: Type<unknown>, message: string, owner: string): void {
    if (!this.options.whitelist) return; // nothing is stripped: the class only shapes the instance
    const declared = this.validator!.getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
    if (declared.length === 0) throw new WsConfigError(ARGS_CLASS_WITHOUT_FIELDS(cls.name || 'anonymous', message, owner));
  }

  /** The instance, or the field errors. */
  async validate(cls: Type<unknown>, plain: object): Promise<{ value: object } | { errors: WsFieldError[] }> {
    const instance = this.transformer!.plainToInstance(cls, plain);
    const errors = await this.validator!.validate(instance, this.validatorOptions());
    return errors.length ? { errors: flatten(errors) } : { value: instance };
  }

  /** The synchronous variant, for checking outbound commands before anything is written. */
  validateSync(cls: Type<unknown>, plain: object): WsFieldError[] {
    const instance = this.transformer!.plainToInstance(cls, plain);
    // Outbound data is the server's own: check it, never strip it.
    return flatten(this.validator!.validateSync(instance, { forbidUnknownValues: false }));
  }

  private validatorOptions(): object {
    return {
      whitelist: this.options.whitelist,
      forbidNonWhitelisted: this.options.forbidNonWhitelisted,
      forbidUnknownValues: false,
    };
  }
}

const ARGS_CLASS_WITHOUT_FIELDS = (cls: string, message: string, owner: string) =>
  `The args class ${cls} of message "${message}" (${owner}) has no class-validator decorators, so validation.whitelist ` +
  `would strip every field and the handler would always get {}. Decorate its properties (@IsString(), @IsInt(), ` +
  `@Allow() to accept a field as is, ...), or set WsModule.forRoot({ validation: { whitelist: false } }).`;

function flatten(errors: ValidationErrorLike[], prefix = ''): WsFieldError[] {
  const out: WsFieldError[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) out.push({ field, constraint, message });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}
