/**
 * The shape of a server's protocol as the client sees it: per message its arguments and its reply's data, per
 * command (what the server sends unprompted) its data. `npx nestjs-ws-spaces contract` writes one from the
 * server's export (`contract.d.ts`, `type Contract`); `new WsClient<Contract>(url)` then checks every name and
 * field at compile time.
 * @publicApi
 */
export interface WsContract {
  messages: { [name: string]: { args: unknown; reply: unknown } };
  commands: { [name: string]: unknown };
}

/** The contract of a client without one: any name, any data (`any`, as `JSON.parse` gives). @publicApi */
export interface WsAnyContract {
  messages: { [name: string]: { args: any; reply: any } };
  commands: { [name: string]: any };
}

export type MessageName<C extends WsContract> = keyof C['messages'] & string;
export type CommandName<C extends WsContract> = keyof C['commands'] & string;
export type ArgsOf<C extends WsContract, N extends MessageName<C>> = C['messages'][N]['args'];
export type ReplyOf<C extends WsContract, N extends MessageName<C>> = C['messages'][N]['reply'];
export type CommandData<C extends WsContract, N extends CommandName<C>> = C['commands'][N];

/** `data` may be left out when the message takes none (or accepts undefined). */
export type DataParam<A, Rest extends unknown[]> = undefined extends A ? [data?: A, ...rest: Rest] : [data: A, ...rest: Rest];
