import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginArgs {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  uid!: string;
}

/** What user.login replies: the user and the session now bound to it. */
export class UserBound extends LoginArgs {
  @IsString()
  sid!: string;
}
