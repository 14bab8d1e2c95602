import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { WsAuthenticator, WsIdentity } from 'nestjs-ws-spaces';

/**
 * Guards the `custom` space: a client connects to `/socket/custom?token=<token>`. A real app would verify a JWT
 * or a session cookie here; the sample knows one token per user. A refusal is an HTTP 401 before any WebSocket.
 */
@Injectable()
export class TokenAuthenticator implements WsAuthenticator {
  private readonly users = new Map([
    ['letmein', 'guest'],
    ['s3cret-alice', 'alice'],
  ]);

  authenticate(request: IncomingMessage): WsIdentity | null {
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    const user = token ? this.users.get(token) : undefined;
    return user ? { user } : null;
  }
}
