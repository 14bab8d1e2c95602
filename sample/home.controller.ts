import { Controller, Get, Header } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The page lives beside the sources; compiled, this file runs from dist/sample, so look in both places.
const PAGE = [new URL('./public/index.html', import.meta.url), new URL('../../sample/public/index.html', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path));

@Controller()
export class HomeController {
  private readonly html = PAGE ? readFileSync(PAGE, 'utf8') : '<p>sample/public/index.html is missing</p>';

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return this.html;
  }
}
