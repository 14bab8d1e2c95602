export * from './ws-space.decorator.js';
export * from './ws-message.decorator.js';
export * from './ws-command.decorator.js';
export * from './ws-filter.decorator.js';
export * from './ws-hook.decorator.js';
export * from './ws-handler.decorator.js';
export * from './ws-raw.decorator.js';
export * from './ws-prefix.decorator.js';
