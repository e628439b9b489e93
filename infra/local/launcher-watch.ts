import { readFileSync } from 'node:fs';

/**
 * A signal sent to the process the operator started reaches this one only if every process in
 * between passes it on, and a shell does not: npm forwards SIGTERM to its script's `sh -c`, which
 * dies of it and leaves what it started running (`npx tsx …` is npm → sh → tsx → this; `npm
 * start` execs this process directly, see package.json). So the stack also stops when its
 * launcher is gone: on Linux it watches the processes from its parent up to the launcher (up
 * through those inside an npm script, npm itself included) and stops when any of them ends;
 * elsewhere, when its parent does. Recorded before the stack starts, so a launcher that dies
 * meanwhile is noticed too. The returned check says what ended, or undefined.
 */
export function launcherWatch(): () => string | undefined {
  const stat = (pid: number) => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, … starttime (field 22), which tells a reused pid apart.
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return f[0] === 'Z' || f[0] === 'X' ? undefined : { ppid: Number(f[1]), start: f[19] };
    } catch {
      return undefined;
    }
  };
  const inNpmScript = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .some((v) => v.startsWith('npm_lifecycle_event='));
    } catch {
      return false;
    }
  };
  const parent = process.ppid;
  if (process.platform !== 'linux' || !stat(parent)) {
    return () => (process.ppid !== parent ? `launcher (pid ${parent}) exited` : undefined);
  }
  const chain: { pid: number; ppid: number; start: string | undefined }[] = [];
  for (let pid = parent; pid > 1 && chain.length < 16;) {
    const s = stat(pid);
    if (!s) break;
    chain.push({ pid, ...s });
    if (!inNpmScript(pid)) break; // the launcher
    pid = s.ppid;
  }
  const launcher = chain.at(-1)?.pid;
  const gone = (pid: number) =>
    pid === launcher
      ? `launcher (pid ${pid}) exited`
      : `pid ${pid}, between this stack and its launcher (pid ${launcher}), exited`;
  return () => {
    for (const [i, p] of chain.entries()) {
      const now = stat(p.pid);
      if (!now || now.start !== p.start) return gone(p.pid);
      // The launcher itself may be re-parented (nohup, a closed terminal); the others may not.
      if (i < chain.length - 1 && now.ppid !== p.ppid) return gone(p.ppid);
    }
    return undefined;
  };
}
