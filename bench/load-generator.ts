// The orchestrator's handle on the load-generator child process: hands it one task at a time and
// restarts the server under test when the task asks for it.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import type { HostMessage, LoadMessage, Measurement, ServerInfo, Task } from './scenarios/types.js'

const taskTimeoutMs = 10 * 60_000

/** A running load generator. One task at a time; `close` ends the process. */
export class LoadGenerator {
  readonly #child: ChildProcess
  readonly #messages: Array<(message: LoadMessage) => void> = []

  private constructor(child: ChildProcess) {
    this.#child = child
    child.on('message', (message: LoadMessage) => {
      for (const listener of [...this.#messages]) listener(message)
    })
  }

  /** Starts the compiled load generator at `script` and waits until it is ready. */
  static async start(script: string): Promise<LoadGenerator> {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', script], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const generator = new LoadGenerator(child)
    await generator.#next((message) => message.type === 'ready', 30_000)
    return generator
  }

  /** The load generator's process ID. */
  get pid(): number {
    return this.#child.pid ?? 0
  }

  /**
   * Runs `task`; when the scenario asks for a server restart, calls `restart` and hands the new
   * server to the scenario. Rejects on a failed task, a timeout or a dead child.
   */
  async run(task: Task, restart: () => Promise<ServerInfo>): Promise<Measurement> {
    const onRestart = (message: LoadMessage): void => {
      if (message.type !== 'restart') return
      restart().then(
        (server) => this.#send({ type: 'restarted', server }),
        (error: unknown) => {
          console.error('could not restart the server:', error)
          this.#child.kill('SIGKILL')
        },
      )
    }
    this.#messages.push(onRestart)
    try {
      const message = await this.#next(
        (candidate) => candidate.type === 'result' || candidate.type === 'failed',
        taskTimeoutMs,
        () => this.#send({ type: 'task', task }),
      )
      if (message.type === 'failed') throw new Error(message.message)
      if (message.type !== 'result') throw new Error(`unexpected message ${message.type}`)
      return message.measurement
    } finally {
      this.#messages.splice(this.#messages.indexOf(onRestart), 1)
    }
  }

  /** True while the child process runs. */
  get isAlive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Ends the load generator. */
  close(): void {
    this.#child.kill('SIGTERM')
  }

  #send(message: HostMessage): void {
    this.#child.send(message)
  }

  #next(accept: (message: LoadMessage) => boolean, timeoutMs: number, start?: () => void) {
    return new Promise<LoadMessage>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer)
        this.#messages.splice(this.#messages.indexOf(listener), 1)
        this.#child.off('exit', onExit)
      }
      const listener = (message: LoadMessage): void => {
        if (!accept(message)) return
        finish()
        resolve(message)
      }
      const onExit = (code: number | null): void => {
        finish()
        reject(new Error(`load generator exited (${code})`))
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`load generator gave no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#messages.push(listener)
      this.#child.once('exit', onExit)
      start?.()
    })
  }
}
