import { Module } from '@nestjs/common';
import { WsModule } from 'nestjs-ws-spaces';
import { ChatHandlers } from './chat.handlers.js';
import { ClientController } from './client.controller.js';
import { CustomSpaceHandlers } from './custom.handlers.js';
import { EchoHandlers } from './echo.handlers.js';
import { GuardFilters } from './guard.filters.js';
import { HomeController } from './home.controller.js';
import { NoticeController } from './notice.controller.js';
import { TokenAuthenticator } from './token.authenticator.js';
import { UserHandlers } from './user.handlers.js';
import { RawEchoHandlers } from './raw.handlers.js';

@Module({
  imports: [
    // forRootAsync: the options are read when the app boots, so REDIS_URL can switch on multi-node dispatch.
    WsModule.forRootAsync({
      useFactory: () => ({
        path: '/ws',
        // The custom space needs a token: /socket/custom?token=letmein (see TokenAuthenticator). It inherits only
        // the default space's demo.* and chat.* messages, so user.login cannot change who the token says you are.
        spaces: {
          custom: { path: '/socket/custom', maxConnections: 1000, authenticator: TokenAuthenticator, inherit: ['demo.', 'chat.'] },
          // Frames as they are, no envelope: RawEchoHandlers echoes them (mist's echo).
          raw: { path: '/socket/raw', raw: true },
        },
        // Per session, every frame counted before it is parsed (garbage too); a flood gets 429s, then close 1008.
        rateLimit: { rate: 50, burst: 100, bytesPerSecond: 256 * 1024 },
        trace: true, // the last 100 handled messages at /ws/trace, shown on the home page
        ...(process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL, keyPrefix: process.env.REDIS_PREFIX ?? 'sample', ...(process.env.REDIS_LEASE_TTL ? { leaseTtl: process.env.REDIS_LEASE_TTL } : {}) } } : {}),
      }),
    }),
  ],
  controllers: [HomeController, NoticeController, ClientController],
  providers: [EchoHandlers, ChatHandlers, UserHandlers, CustomSpaceHandlers, GuardFilters, TokenAuthenticator, RawEchoHandlers],
})
export class AppModule {}
