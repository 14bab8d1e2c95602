import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';

export class RoomArgs {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  room!: string;
}

export class SayArgs extends RoomArgs {
  @IsString()
  @MaxLength(2000)
  text!: string;
}

/** What chat.said carries; declared on the command, so a wrong push is caught before it is written. */
export class SaidArgs extends SayArgs {
  @IsString()
  from!: string;
}

/** What chat.say replies: how many members of the room the line reached. */
export class SayReply {
  @IsInt()
  @Min(0)
  delivered!: number;
}
