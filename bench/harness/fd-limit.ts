import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Open-file limits for the scale scenarios. Node raises its own soft limit to the hard one at startup, so a process
 * can hold about the hard limit in sockets. Past it, the process must be started with a higher limit: `prlimit
 * --nofile=N:N node …` (or `sh -c 'ulimit -n N; exec node …'`), which needs CAP_SYS_RESOURCE when N exceeds the
 * current hard limit. Node cannot raise it from inside (there is no setrlimit in its API).
 */

/** Descriptors a process needs besides its sockets: stdio, the IPC channel, libuv, the listening socket, files. */
export const FD_MARGIN = 200;

/** The hard RLIMIT_NOFILE of this process (Linux: /proc/self/limits), or Infinity where it cannot be read. */
export function hardFdLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    return hard === undefined || hard === 'unlimited' ? Infinity : Number(hard);
  } catch {
    return Infinity;
  }
}

const raisable = new Map<number, boolean>();

/** Whether a child can be started with `prlimit --nofile=n:n` here (probed once per n). */
function canRaiseTo(n: number): boolean {
  if (!raisable.has(n)) {
    const probe = spawnSync('prlimit', [`--nofile=${n}:${n}`, 'true'], { stdio: 'ignore', timeout: 5_000 });
    raisable.set(n, probe.status === 0);
  }
  return raisable.get(n)!;
}

/**
 * How to start a process that must hold `fds` descriptors: with no wrapper (the limit suffices), with a `prlimit`
 * prefix (raised for that child alone), or not at all (`reason` says why).
 */
export function fdLaunch(fds: number): { prefix: string[] } | { reason: string } {
  const hard = hardFdLimit();
  if (fds <= hard) return { prefix: [] };
  if (canRaiseTo(fds)) return { prefix: ['prlimit', `--nofile=${fds}:${fds}`, '--'] };
  return {
    reason: `needs ${fds} file descriptors; the hard limit here is ${hard} and raising it is not permitted (prlimit needs CAP_SYS_RESOURCE; run as a user allowed to, or raise "nofile" in /etc/security/limits.conf)`,
  };
}
