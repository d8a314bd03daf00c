#!/usr/bin/env node
// The wafersim command. The package runs from its TypeScript sources through tsx, so a fresh
// clone needs no build step: `npm install && npx wafersim …`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
