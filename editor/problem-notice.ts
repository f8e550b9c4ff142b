// The notice between the toolbar and the document that says, in words, what the server refused
// (connection-problem.ts). Hidden while there is no problem.
import type { ConnectionProblem } from './connection-problem.js'

/** The notice element and the function that updates it. */
export interface ProblemNotice {
  readonly element: HTMLElement
  show(problem: ConnectionProblem | null): void
}

/**
 * Builds `.collab-editor-problem[role=alert]` with `data-problem` (the kind) and
 * `data-stopped` when the editor no longer reconnects.
 */
export function createProblemNotice(): ProblemNotice {
  const element = document.createElement('div')
  element.className = 'collab-editor-problem'
  element.setAttribute('role', 'alert')
  element.hidden = true
  return {
    element,
    show(problem) {
      element.hidden = problem === null
      element.textContent = problem?.message ?? ''
      if (problem) element.dataset.problem = problem.kind
      else delete element.dataset.problem
      element.toggleAttribute('data-stopped', problem !== null && !problem.isRetrying)
    },
  }
}
