import { IsString, Length } from 'class-validator';

/** Arguments of chat.join and chat.leave; the protocol export shows their schema and examples. */
export class RoomArgs {
  @IsString()
  @Length(1, 64)
  room: string;
}

export class SayArgs extends RoomArgs {
  @IsString()
  @Length(1, 500)
  text: string;
}

/** Arguments of the chat.said command. */
export class SaidArgs extends SayArgs {
  @IsString()
  from: string;
}
