import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { burstSize, LISTEN, serve } from './serve.js';

/** socket.io 4 with its defaults (in-memory adapter, no compression), rooms as groups. */
serve(async () => {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('echo', (data) => socket.emit('echo', data));
    socket.on('join', (data) => {
      const gid = String(data?.group);
      void socket.join(gid);
      socket.emit('joined', { group: gid });
    });
    socket.on('broadcast', (data) => io.emit('tick', data));
    socket.on('burst', (data) => {
      for (let i = burstSize(data); i > 0; i--) io.emit('tick', data);
    });
    socket.on('groupcast', (data) => io.to(String(data?.group)).emit('tick', data));
  });
  await new Promise<void>((resolve) => http.listen(LISTEN.port, LISTEN.host, resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    path: '/socket.io/',
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
});
