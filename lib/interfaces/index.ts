export * from './ws-module-options.interface.js';
export * from './ws-message-options.interface.js';
export * from './delivery.interface.js';
export * from './ws-authenticator.interface.js';
export * from './ws-accept-options.interface.js';
