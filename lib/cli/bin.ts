#!/usr/bin/env node
// The package's bin: `npx nestjs-ws-spaces contract ...` (see main.ts).
import { run } from './main.js';

run();
