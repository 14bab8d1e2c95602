import type { Delivery } from '../interfaces/delivery.interface.js';

/** A delivery that addressed nobody: a push to a session this node does not hold is a successful no-op. */
export const emptyDelivery = (): Delivery => ({ hit: 0, success: 0, failed: 0, nodes: 0 });
