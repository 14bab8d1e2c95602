// Argument validation as a Nest user writes it against the installed tarball: an args class, and a DTO parameter
// validated by the app's global ValidationPipe (set in main.ts). The @ts-expect-error line proves the shipped
// declarations keep the compile-time check of a handler's context against its args class.
import { Injectable } from '@nestjs/common';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import { WsArgs, type WsContext, WsMessage } from 'nestjs-ws-spaces';

export class RenameDto {
  @IsString()
  @MaxLength(8)
  name!: string;

  @IsInt()
  @Min(1)
  version!: number;
}

class OtherArgs {
  @IsString()
  other!: string;
}

@Injectable()
export class ValidationHandlers {
  @WsMessage('fresh.rename')
  rename(@WsArgs() dto: RenameDto): { name: string; version: number } {
    return { name: dto.name, version: dto.version };
  }

  @WsMessage('fresh.classed', { args: RenameDto })
  classed(ctx: WsContext<RenameDto>): string {
    return ctx.args.name;
  }

  // @ts-expect-error a handler whose context does not take its args class does not compile
  @WsMessage('fresh.mismatch', { args: RenameDto })
  mismatch(ctx: WsContext<OtherArgs>): string {
    return ctx.args.other;
  }
}
