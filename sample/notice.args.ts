import { IsString, MaxLength } from 'class-validator';

/** What demo.notice carries: declared on the command, so the export shows it and a wrong send is caught. */
export class NoticeArgs {
  @IsString()
  @MaxLength(2000)
  text!: string;
}
