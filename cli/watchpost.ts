#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';

// A restarted agent should not strip and compile every module again: Node's compile cache keeps
// them (docs/measurements.md: ~30 MB less peak RSS and most of the start-up CPU). The service
// units set NODE_COMPILE_CACHE (then this is a no-op); this covers an agent started by hand.
// The cache is an optimisation only: when the directory cannot be written, Node runs without it.
if (process.argv[2] === 'agent' && !process.env.NODE_COMPILE_CACHE) {
  enableCompileCache(path.join(process.env.LOCALAPPDATA ?? process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'watchpost', 'compile-cache'));
}
// Imported after the cache is on, so the whole command is served from it.
const { main } = await import('./main.ts');

process.exitCode = await main(process.argv.slice(2));
