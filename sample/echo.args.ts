import { IsString, MaxLength } from 'class-validator';

/** The arguments of demo.echo: validated before the handler runs (400 with the field errors otherwise). */
export class EchoArgs {
  @IsString()
  @MaxLength(1000)
  text!: string;
}
