/** Flags of this process that must not pass to a child: they name what to run, or a debug port. */
const DROP_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print']);
const DROP = /^(-i|--interactive|--(eval|print|input-type|inspect|debug|watch|test)(\b|=|-).*)$/;

/**
 * Arguments that start another Node process like this one (same V8 and Node flags, so the
 * same compile cache entries), running `script`. What this process was told to run (-e, -p,
 * --input-type, --test, --watch) and its inspector flags stay here: a child given `-e` would
 * run that code, not the script, and two processes cannot share a debug port.
 */
export function nodeChildArgs(script: string, ...args: string[]): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (DROP_WITH_VALUE.has(a)) i++;
    else if (!DROP.test(a)) out.push(a);
  }
  return [...out, script, ...args];
}
