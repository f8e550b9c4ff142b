// A task item as the editor shows it: a real checkbox beside the item's blocks. Checking it is a
// transaction (so it syncs, and undoes, like typing); while the editor is read-only it is
// disabled.
import type { Node } from 'prosemirror-model'
import { Plugin } from 'prosemirror-state'
import type { EditorView, NodeView, ViewMutationRecord } from 'prosemirror-view'

const checkboxClass = 'collab-task-checkbox'

class TaskItemView implements NodeView {
  readonly dom: HTMLLIElement
  readonly contentDOM: HTMLDivElement
  private readonly checkbox: HTMLInputElement
  private node: Node

  constructor(node: Node, view: EditorView, getPos: () => number | undefined) {
    this.node = node
    this.dom = document.createElement('li')
    this.dom.dataset.type = 'taskItem'
    const label = this.dom.appendChild(document.createElement('label'))
    label.contentEditable = 'false'
    this.checkbox = label.appendChild(document.createElement('input'))
    this.checkbox.type = 'checkbox'
    this.checkbox.className = checkboxClass
    this.checkbox.setAttribute('aria-label', 'Mark as done')
    this.checkbox.disabled = !view.editable
    this.checkbox.addEventListener('change', () => {
      const pos = getPos()
      if (pos === undefined || !view.editable) {
        this.showChecked()
        return
      }
      view.dispatch(view.state.tr.setNodeAttribute(pos, 'checked', this.checkbox.checked))
    })
    this.contentDOM = this.dom.appendChild(document.createElement('div'))
    this.showChecked()
  }

  update(node: Node): boolean {
    if (node.type !== this.node.type) return false
    this.node = node
    this.showChecked()
    return true
  }

  // The checkbox handles its own clicks and keys (Space toggles it where it has the focus).
  stopEvent(event: Event): boolean {
    return event.target === this.checkbox
  }

  // Only the item's blocks are ProseMirror's: the checkbox and the item's attributes are ours.
  ignoreMutation(mutation: ViewMutationRecord): boolean {
    return mutation.type !== 'selection' && !this.contentDOM.contains(mutation.target)
  }

  private showChecked(): void {
    const isChecked = this.node.attrs.checked === true
    this.checkbox.checked = isChecked
    this.dom.dataset.checked = String(isChecked)
  }
}

/**
 * The task items' node view, and what keeps their checkboxes disabled exactly while the editor
 * is read-only (an editor can become read-only at any time, when the server says so).
 */
export function taskItemPlugin(): Plugin {
  return new Plugin({
    props: {
      nodeViews: {
        task_item: (node, view, getPos) => new TaskItemView(node, view, getPos),
      },
    },
    view: (view) => {
      let wasEditable = view.editable
      return {
        update: (view) => {
          if (view.editable === wasEditable) return
          wasEditable = view.editable
          for (const checkbox of view.dom.querySelectorAll<HTMLInputElement>(`.${checkboxClass}`))
            checkbox.disabled = !view.editable
        },
      }
    },
  })
}
