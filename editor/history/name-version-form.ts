// "Name this version" in the history panel: a button that opens a small inline form (name,
// Save, Cancel) and saves the document as it is now under that name.

/** The form's element; it owns its state. */
export interface NameVersionForm {
  readonly element: HTMLElement
  /** Back to the bare button, the typed name forgotten. */
  reset(): void
}

/**
 * Builds `.collab-editor-name-version`: `button[data-action=name-version]`, then a `form` with
 * an input, Save and Cancel. `save` is called with the trimmed name; when it rejects, its error's
 * message (from `describe`) is shown in the form and the name stays.
 */
export function createNameVersionForm(
  save: (name: string) => Promise<void>,
  describe: (error: unknown) => string,
): NameVersionForm {
  const element = document.createElement('div')
  element.className = 'collab-editor-name-version'
  const open = element.appendChild(document.createElement('button'))
  open.type = 'button'
  open.dataset.action = 'name-version'
  open.textContent = 'Name this version'
  open.title = 'Save the document as it is now under a name'

  const form = element.appendChild(document.createElement('form'))
  form.hidden = true
  const input = form.appendChild(document.createElement('input'))
  input.type = 'text'
  input.name = 'version-name'
  input.placeholder = 'Version name'
  input.setAttribute('aria-label', 'Version name')
  input.required = true
  const submit = form.appendChild(document.createElement('button'))
  submit.type = 'submit'
  submit.textContent = 'Save'
  submit.className = 'is-primary'
  const cancel = form.appendChild(document.createElement('button'))
  cancel.type = 'button'
  cancel.textContent = 'Cancel'
  const message = form.appendChild(document.createElement('p'))
  message.className = 'collab-editor-form-error'
  message.setAttribute('role', 'alert')
  message.hidden = true

  const setBusy = (isBusy: boolean): void => {
    input.disabled = isBusy
    submit.disabled = isBusy
    submit.textContent = isBusy ? 'Saving…' : 'Save'
  }
  const reset = (): void => {
    form.hidden = true
    open.hidden = false
    input.value = ''
    message.hidden = true
    setBusy(false)
  }

  open.addEventListener('click', () => {
    open.hidden = true
    form.hidden = false
    input.focus()
  })
  cancel.addEventListener('click', reset)
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') reset()
  })
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (name === '') return
    setBusy(true)
    message.hidden = true
    save(name).then(reset, (error: unknown) => {
      setBusy(false)
      message.textContent = describe(error)
      message.hidden = false
      input.focus()
    })
  })
  return { element, reset }
}
