// A small form in a floating popover (the link and image address forms): labelled fields, a
// submit button, a message line for what was wrong. Enter submits, Escape cancels; the owner
// decides what each means and where focus goes.
import { createFloating, type AnchorRect, type Floating } from './floating.js'
import { icon, type IconName } from './icons.js'

/** One text field of the form. */
export interface PopoverField {
  readonly name: string
  /** The field's accessible name; it shows as the placeholder too. */
  readonly label: string
  readonly placeholder?: string
  readonly inputMode?: 'url' | 'text'
}

/** Options of `createPopoverForm`. */
export interface PopoverFormOptions {
  /** Where the popover goes in the DOM (after the document, so Tab order follows it). */
  readonly parent: HTMLElement
  readonly className: string
  /** The form's accessible name. */
  readonly label: string
  readonly fields: readonly PopoverField[]
  readonly submitLabel: string
  readonly submitIcon: IconName
  /** Called with the fields' values on Enter or the submit button; returns an error to show. */
  onSubmit(values: ReadonlyMap<string, string>): string | null
  /** Escape. */
  onCancel(): void
  /** Focus went somewhere outside the popover. */
  onFocusLeave(): void
}

/** The form popover; its owner opens it at an anchor and closes it. */
export interface PopoverForm {
  readonly floating: Floating
  readonly form: HTMLFormElement
  /** Where the owner puts more buttons, after the submit button. */
  readonly actions: HTMLElement
  readonly isOpen: boolean
  /** Shows the form with these values (the rest empty) and focuses the first field. */
  open(values: ReadonlyMap<string, string>, anchor: () => AnchorRect, clip: () => AnchorRect): void
  close(): void
  destroy(): void
}

/** Builds the popover (hidden) in `options.parent`. */
export function createPopoverForm(options: PopoverFormOptions): PopoverForm {
  const floating = createFloating(options.parent, `collab-editor-popover ${options.className}`)
  const form = floating.element.appendChild(document.createElement('form'))
  form.className = 'collab-editor-popover-form'
  form.setAttribute('aria-label', options.label)
  form.noValidate = true
  const row = form.appendChild(document.createElement('div'))
  row.className = 'collab-editor-popover-row'
  const fields = row.appendChild(document.createElement('div'))
  fields.className = 'collab-editor-popover-fields'
  const inputs = new Map<string, HTMLInputElement>()
  for (const field of options.fields) {
    const input = fields.appendChild(document.createElement('input'))
    input.type = 'text'
    input.name = field.name
    input.className = 'collab-editor-popover-input'
    input.setAttribute('aria-label', field.label)
    input.placeholder = field.placeholder ?? field.label
    input.autocomplete = 'off'
    input.spellcheck = false
    if (field.inputMode) input.inputMode = field.inputMode
    inputs.set(field.name, input)
  }
  const actions = row.appendChild(document.createElement('div'))
  actions.className = 'collab-editor-popover-actions'
  const submit = actions.appendChild(document.createElement('button'))
  submit.type = 'submit'
  submit.className = 'collab-editor-popover-submit'
  submit.append(icon(options.submitIcon), options.submitLabel)
  const message = form.appendChild(document.createElement('p'))
  message.className = 'collab-editor-popover-message'
  message.setAttribute('role', 'alert')
  message.hidden = true
  const messageId = `collab-popover-message-${Math.random().toString(36).slice(2, 10)}`
  message.id = messageId

  // What was wrong is always about the first field (the address).
  const showMessage = (text: string | null): void => {
    message.textContent = text ?? ''
    message.hidden = text === null
    const first = inputs.values().next().value
    first?.toggleAttribute('aria-invalid', text !== null)
    if (text === null) first?.removeAttribute('aria-describedby')
    else first?.setAttribute('aria-describedby', messageId)
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const values = new Map([...inputs].map(([name, input]) => [name, input.value]))
    const error = options.onSubmit(values)
    showMessage(error)
    if (error !== null) inputs.values().next().value?.focus()
  })
  form.addEventListener('input', () => {
    if (!message.hidden) showMessage(null)
  })
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    event.stopPropagation()
    options.onCancel()
  })
  floating.element.addEventListener('focusout', (event) => {
    const next = event.relatedTarget
    if (floating.isShown && !(next instanceof Node && floating.element.contains(next)))
      options.onFocusLeave()
  })

  return {
    floating,
    form,
    actions,
    get isOpen() {
      return floating.isShown
    },
    open(values, anchor, clip) {
      for (const [name, input] of inputs) input.value = values.get(name) ?? ''
      showMessage(null)
      floating.show(anchor, clip)
      const first = inputs.values().next().value
      first?.focus()
      first?.select()
    },
    close() {
      showMessage(null)
      floating.hide()
    },
    destroy: () => floating.destroy(),
  }
}
