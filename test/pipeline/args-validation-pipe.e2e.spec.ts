import { type ArgumentMetadata, type INestApplication, Injectable, type PipeTransform, UsePipes, ValidationPipe } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import type { AddressInfo } from 'node:net';
import { WsArgs, WsMessage, WsModule, WsUser } from 'nestjs-ws-spaces';
import { UpperCasePipe } from '../fixtures/enhancers.fixture.js';
import { closeAllClients, connect } from '../helpers/ws-client.js';

/** A DTO for a `@WsArgs()` parameter, validated by the app's pipes rather than by an args class. */
class RenameDto {
  @IsString()
  @MaxLength(8)
  name!: string;

  @IsInt()
  @Min(1)
  version!: number;
}

/** Records the metadata a pipe is handed, to compare with what a gateway's `@MessageBody()` gets. */
const seenByPipe: ArgumentMetadata[] = [];
class SpyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata) {
    seenByPipe.push(metadata);
    return value;
  }
}

@Injectable()
class DtoHandlers {
  @WsMessage('dto.rename')
  rename(@WsArgs() dto: RenameDto, @WsUser() user?: string) {
    return { isInstance: dto instanceof RenameDto, dto, user: user ?? null };
  }

  @WsMessage('dto.spied')
  @UsePipes(SpyPipe)
  spied(@WsArgs() dto: RenameDto) {
    return dto;
  }

  @WsMessage('dto.field')
  field(@WsArgs('name') name: string) {
    return { name };
  }

  @WsMessage('dto.shout')
  @UsePipes(UpperCasePipe)
  shout(@WsArgs('text') text: string) {
    return { text };
  }

  @WsMessage('dto.param-pipe')
  paramPipe(@WsArgs('text', UpperCasePipe) text: string) {
    return { text };
  }
}

describe('@WsArgs() parameters and the app\'s global ValidationPipe', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // As in main.ts: the global pipes are set before the app initializes, which is when handlers are composed.
    const moduleRef = await Test.createTestingModule({ imports: [WsModule.forRoot()], providers: [DtoHandlers] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(new ValidationPipe());
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/ws`;
  });
  afterAll(() => app.close());
  afterEach(closeAllClients);

  it('validates the parameter against its class, without validateCustomDecorators, and answers 400 with the messages in data', async () => {
    const client = await connect(url);
    const reply = await client.request('dto.rename', { name: 'far too long a name', version: 0 }, 'v1');
    expect(reply).toMatchObject({ code: 400, name: 'dto.rename', id: 'v1', text: 'Bad Request Exception' });
    expect(reply.data).toEqual(
      expect.arrayContaining(['name must be shorter than or equal to 8 characters', 'version must not be less than 1']),
    );
    expect(await client.request('dto.rename')).toMatchObject({ code: 400, data: expect.arrayContaining(['name must be a string']) });
  });

  it('lets valid data through to the handler', async () => {
    const client = await connect(url);
    expect(await client.request('dto.rename', { name: 'ann', version: 2 })).toMatchObject({
      code: 0,
      data: { dto: { name: 'ann', version: 2 }, user: null },
    });
  });

  it('hands pipes the metadata a gateway\'s @MessageBody() gets: type "body" and the parameter\'s class', async () => {
    const client = await connect(url);
    await client.request('dto.spied', { name: 'ann', version: 1 });
    expect(seenByPipe).toEqual([{ type: 'body', metatype: RenameDto, data: undefined, schema: undefined }]);
  });

  it('leaves a property of primitive type as it is, and applies the method\'s and the parameter\'s own pipes', async () => {
    const client = await connect(url);
    expect(await client.request('dto.field', { name: 'bob' })).toMatchObject({ code: 0, data: { name: 'bob' } });
    expect(await client.request('dto.shout', { text: 'hey' })).toMatchObject({ code: 0, data: { text: 'HEY' } });
    expect(await client.request('dto.param-pipe', { text: 'ho' })).toMatchObject({ code: 0, data: { text: 'HO' } });
  });
});
