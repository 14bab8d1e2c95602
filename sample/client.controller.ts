import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The browser client as the build compiled it (dist/lib/client): from dist/sample when compiled, from sample/ when
// run from the sources (the tests). `npm start` builds first.
const CLIENT_DIR = [new URL('../lib/client/', import.meta.url), new URL('../dist/lib/client/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(`${dir}index.js`));

// One flat folder of compiled modules; nothing else is served (no path separators, no "..").
const FILE = /^[a-z][a-z0-9.-]*\.js$/;

/** Serves `nestjs-ws-spaces/client` to the home page, which imports it as an ES module: `/client/index.js`. */
@Controller('client')
export class ClientController {
  @Get(':file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  file(@Param('file') file: string): string {
    if (!CLIENT_DIR || !FILE.test(file) || !existsSync(CLIENT_DIR + file)) {
      throw new NotFoundException(CLIENT_DIR ? `no client module ${file}` : 'the client is not built: run npm run build');
    }
    return readFileSync(CLIENT_DIR + file, 'utf8');
  }
}
