import type { Delivery, DeliveryJson } from '../interfaces/delivery.interface.js';

/**
 * The outcome of one send. Recipients whose `block` queue was full are counted in `pending` and settle later:
 * `settled` resolves to a copy with those counted into `success`/`failed` (this object stays as it was resolved,
 * so a value a caller already read never changes under it). `toJSON()` keeps a Delivery returned from an HTTP
 * controller readable: `firstError` becomes its message.
 */
export class DeliveryResult implements Delivery {
  hit = 0;
  success = 0;
  failed = 0;
  pending = 0;
  nodes = 0;
  declare firstError?: Error;
  // Private fields are not properties: `settled` stays out of JSON, of test equality and of spreads.
  #late: Promise<Error | undefined>[] | undefined;
  #settled: Promise<Delivery> | undefined;

  /** @internal A recipient that waits for room; `result` never rejects. */
  addPending(result: Promise<Error | undefined>): void {
    this.pending++;
    (this.#late ??= []).push(result);
  }

  get settled(): Promise<Delivery> {
    // Built on first read: by then the send has resolved, so `nodes` and a publish error are in.
    return (this.#settled ??= this.#late ? Promise.all(this.#late).then((errors) => this.final(errors)) : Promise.resolve(this));
  }

  toJSON(): DeliveryJson {
    const json: DeliveryJson = { hit: this.hit, success: this.success, failed: this.failed, pending: this.pending, nodes: this.nodes };
    if (this.firstError !== undefined) json.firstError = this.firstError.message;
    return json;
  }

  private final(errors: Array<Error | undefined>): Delivery {
    const final = new DeliveryResult();
    final.hit = this.hit;
    final.success = this.success;
    final.failed = this.failed;
    final.nodes = this.nodes;
    if (this.firstError !== undefined) final.firstError = this.firstError;
    for (const error of errors) {
      if (error === undefined) final.success++;
      else {
        final.failed++;
        final.firstError ??= error;
      }
    }
    return final;
  }
}

/** A delivery that addressed nobody: a push to a session this node does not hold is a successful no-op. */
export const emptyDelivery = (): DeliveryResult => new DeliveryResult();
