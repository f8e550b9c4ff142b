// The blocks the slash menu offers: name, title, description, icon, the words that find them and
// the command that makes them.
import type { Command } from 'prosemirror-state'
import {
  insertHorizontalRule,
  insertTable,
  makeCodeBlock,
  makeHeading,
  makeParagraph,
  wrapInBlockquote,
  wrapInBulletList,
  wrapInOrderedList,
  wrapInTaskList,
} from './commands.js'
import type { IconName } from './icons.js'
import { openImageForm } from './image-popover.js'

/** One block the menu offers. */
export interface BlockChoice {
  /** Stable name, the option's `data-block`. */
  readonly name: string
  readonly title: string
  readonly description: string
  readonly icon: IconName
  /** More words the filter matches. */
  readonly keywords: readonly string[]
  readonly command: Command
}

// "Text" in a paragraph already is one: nothing to change but the slash's removal.
const makeText: Command = (state, dispatch) => makeParagraph(state, dispatch) || true

/** The blocks, in the menu's order. */
export const blockChoices: readonly BlockChoice[] = [
  {
    name: 'paragraph',
    title: 'Text',
    description: 'Plain text, to just start writing',
    icon: 'paragraph',
    keywords: ['paragraph', 'plain'],
    command: makeText,
  },
  {
    name: 'heading1',
    title: 'Heading 1',
    description: 'Big section heading',
    icon: 'heading1',
    keywords: ['h1', 'title'],
    command: makeHeading(1),
  },
  {
    name: 'heading2',
    title: 'Heading 2',
    description: 'Medium section heading',
    icon: 'heading2',
    keywords: ['h2', 'subtitle'],
    command: makeHeading(2),
  },
  {
    name: 'heading3',
    title: 'Heading 3',
    description: 'Small section heading',
    icon: 'heading3',
    keywords: ['h3'],
    command: makeHeading(3),
  },
  {
    name: 'bullet-list',
    title: 'Bullet list',
    description: 'A simple bulleted list',
    icon: 'bullet-list',
    keywords: ['unordered', 'ul', 'list'],
    command: wrapInBulletList,
  },
  {
    name: 'ordered-list',
    title: 'Numbered list',
    description: 'A list with numbers',
    icon: 'ordered-list',
    keywords: ['ordered', 'ol', 'list'],
    command: wrapInOrderedList,
  },
  {
    name: 'task-list',
    title: 'Task list',
    description: 'Track tasks with checkboxes',
    icon: 'task-list',
    keywords: ['todo', 'checkbox', 'checklist', 'list'],
    command: wrapInTaskList,
  },
  {
    name: 'blockquote',
    title: 'Quote',
    description: 'Capture a quotation',
    icon: 'blockquote',
    keywords: ['blockquote', 'citation'],
    command: wrapInBlockquote,
  },
  {
    name: 'code-block',
    title: 'Code block',
    description: 'A snippet of code',
    icon: 'code-block',
    keywords: ['pre', 'snippet', 'monospace'],
    command: makeCodeBlock,
  },
  {
    name: 'table',
    title: 'Table',
    description: 'Three by three, with a header row',
    icon: 'table',
    keywords: ['grid', 'rows', 'columns'],
    command: insertTable(3, 3, true),
  },
  {
    name: 'horizontal-rule',
    title: 'Divider',
    description: 'A line between sections',
    icon: 'horizontal-rule',
    keywords: ['horizontal', 'rule', 'hr', 'line', 'separator'],
    command: insertHorizontalRule,
  },
  {
    name: 'image',
    title: 'Image',
    description: 'An image from its address',
    icon: 'image',
    keywords: ['picture', 'photo', 'img', 'url'],
    command: openImageForm,
  },
]
