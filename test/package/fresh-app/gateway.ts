// A plain Nest gateway beside the module, on the same port, through the module's WsSpacesAdapter (see main.ts).
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';

@WebSocketGateway({ path: '/events' })
export class FreshGateway {
  @SubscribeMessage('fresh.gw')
  echo(@MessageBody() data: { text: string }): { event: string; data: { text: string } } {
    return { event: 'fresh.gw.echoed', data };
  }
}
