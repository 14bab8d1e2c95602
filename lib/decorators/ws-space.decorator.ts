import { SetMetadata } from '@nestjs/common';
import { WS_SPACE_METADATA } from '../ws.constants.js';

/**
 * Puts every message, command, filter, hook and handler of the class into a space.
 * Without it they belong to the default space.
 * @publicApi
 */
export const WsSpace = (space: string): ClassDecorator => SetMetadata(WS_SPACE_METADATA, space);
