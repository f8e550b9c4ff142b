// Progress of a long command (backup, restore-backup, compact of every document) on stderr: a bar
// on a terminal, a plain line per tenth of the way otherwise, nothing with --quiet.
import cliProgress from 'cli-progress'

/** Reports one operation's progress; `finish` once, whether it succeeded or not. */
export interface Progress {
  /** One more item done. */
  advance(): void
  finish(): void
}

/** How progress shows: a bar, plain lines, or not at all. */
type ProgressMode = 'bar' | 'lines' | 'off'

/** The mode for `stream`: a bar on a terminal, lines on a pipe or file, none when quiet. */
export function progressMode(stream: NodeJS.WriteStream, isQuiet: boolean): ProgressMode {
  if (isQuiet) return 'off'
  return stream.isTTY ? 'bar' : 'lines'
}

/** Starts showing `label: done/total unit` on `stream`. */
export function startProgress(
  mode: ProgressMode,
  stream: NodeJS.WriteStream,
  label: string,
  total: number,
  unit: string,
): Progress {
  switch (mode) {
    case 'off':
      return { advance: () => undefined, finish: () => undefined }
    case 'lines':
      return lineProgress(stream, label, total, unit)
    case 'bar':
      return barProgress(stream, label, total, unit)
  }
}

function lineProgress(
  stream: NodeJS.WriteStream,
  label: string,
  total: number,
  unit: string,
): Progress {
  let done = 0
  let printed = 0
  const tenths = (count: number): number => Math.floor((count * 10) / Math.max(total, 1))
  const print = (): void => {
    printed = done
    stream.write(`${label}: ${done}/${Math.max(total, done)} ${unit}\n`)
  }
  return {
    advance: () => {
      done += 1
      // A line each time another tenth is done.
      if (tenths(done) > tenths(printed)) print()
    },
    finish: () => {
      if (done > printed) print()
    },
  }
}

function barProgress(
  stream: NodeJS.WriteStream,
  label: string,
  total: number,
  unit: string,
): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} ${unit} | {duration_formatted} (ETA {eta_formatted})`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0)
  let done = 0
  return {
    advance: () => {
      done += 1
      // Documents created since they were counted.
      if (done > bar.getTotal()) bar.setTotal(done)
      bar.increment()
    },
    finish: () => bar.stop(),
  }
}
