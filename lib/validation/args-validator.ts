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

function flatten(errors: ValidationErrorLike[], prefix = ''): WsFieldError[] {
  const out: WsFieldError[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) out.push({ field, constraint, message });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}
