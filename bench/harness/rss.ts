/**
 * Peak RSS of a process, read from outside it: the kernel's high-water mark
 * (VmHWM in /proc/<pid>/status), reset before the measured work by writing
 * 5 to /proc/<pid>/clear_refs (Linux 4.0+), so it also sees peaks inside
 * synchronous work where no sampling timer could run.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Resets the high-water mark; false when not possible (then it covers the whole life). */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS in MB since the last reset, or NaN when /proc is unavailable. */
export function peakRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
