// nestjs-ws-spaces/client: the browser and Node client. Nothing here imports the server's side of the package
// (Nest, Node's Buffer): this folder is served to browsers as it is compiled.
export { WsClient } from './ws-client.js';
export type { WsClientState, WsStateChange, WsRequestOptions } from './ws-client.js';
export type { WsClientOptions, WsHeartbeatOptions } from './client-options.js';
export type { WsReconnectOptions } from './backoff.js';
export type { WsQueueOptions, WsQueuePolicy } from './offline-queue.js';
export type { WsClientCodec } from './client-codec.js';
export type { WsClientEnvelope, WsClientEnvelopeFields, WsClientMessage } from './envelope-fields.js';
export type { WsSocketConstructor, WsSocketLike } from './socket.js';
export type { WsContract, WsAnyContract } from './contract.js';
export { WsClientError, WsRequestError, WsTimeoutError, WsDisconnectedError, WsQueueFullError } from './client-errors.js';
