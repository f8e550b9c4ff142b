// Keeps V8's young generation at its initial size (two 1 MiB semi-spaces) in the server process.
// V8 otherwise grows it to 32 MiB under a burst of allocation and keeps it: on a server holding
// thousands of mostly idle connections that is a large share of its memory (the benchmark's many
// rooms and idle connections scenarios: about 40% less RSS per room and per connection), while
// the extra scavenges cost no measurable CPU there. Only the growth factor can still be changed
// once V8 runs; an operator who passes a semi-space flag to node keeps their own setting.
import { setFlagsFromString } from 'node:v8'

const nodeFlags = (): string => [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ')

/** Stops the young generation from growing, unless node was started with a semi-space flag. */
export function keepYoungGenerationSmall(): void {
  if (/semi-space/.test(nodeFlags())) return
  setFlagsFromString('--semi-space-growth-factor=1')
}
