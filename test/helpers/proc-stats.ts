// Reads a process's CPU time and memory from /proc (Linux only): utime + stime from
// /proc/<pid>/stat, VmRSS and VmHWM from /proc/<pid>/status.
import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc CPU times (sysconf CLK_TCK; 100 on Linux x86 and arm). */
const clockTicksPerSecond = 100

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces, so count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / clockTicksPerSecond
}

/** Memory figures of a process, in kilobytes. */
export interface MemoryKb {
  /** Resident set size now. */
  rss: number
  /** Peak resident set size since the process started. */
  peak: number
}

/** Reads the resident set size and its peak. */
export function readMemoryKb(pid: number): MemoryKb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    return match ? Number(match[1]) : 0
  }
  return { rss: field('VmRSS'), peak: field('VmHWM') }
}
