// The editor's icons, from Lucide (lucide.dev). Only the icons named here are bundled: each
// import is one small module of path data.
import {
  Bold,
  Check,
  ChevronDown,
  CircleQuestionMark,
  CodeXml,
  createElement,
  Download,
  ExternalLink,
  Heading1,
  Heading2,
  Heading3,
  type IconNode,
  Image,
  Italic,
  Link,
  List,
  ListOrdered,
  ListTodo,
  Minus,
  Pencil,
  Pilcrow,
  Plus,
  Quote,
  Redo2,
  RotateCcwClock,
  SquareCode,
  Strikethrough,
  Table,
  Trash,
  Underline,
  Undo2,
  Unlink,
  X,
} from 'lucide'

const iconNodes = {
  bold: Bold,
  check: Check,
  'chevron-down': ChevronDown,
  close: X,
  code: CodeXml,
  'code-block': SquareCode,
  delete: Trash,
  download: Download,
  edit: Pencil,
  'external-link': ExternalLink,
  heading1: Heading1,
  heading2: Heading2,
  heading3: Heading3,
  help: CircleQuestionMark,
  history: RotateCcwClock,
  'horizontal-rule': Minus,
  minus: Minus,
  image: Image,
  italic: Italic,
  link: Link,
  'bullet-list': List,
  'ordered-list': ListOrdered,
  paragraph: Pilcrow,
  plus: Plus,
  blockquote: Quote,
  redo: Redo2,
  strike: Strikethrough,
  table: Table,
  'task-list': ListTodo,
  underline: Underline,
  undo: Undo2,
  unlink: Unlink,
} satisfies Record<string, IconNode>

/** The name of an icon the editor uses. */
export type IconName = keyof typeof iconNodes

/**
 * A new `<svg class="collab-editor-icon">` of the icon, hidden from assistive technology (the
 * control it sits in carries the label). It draws in `currentColor`; CSS sets its size.
 */
export function icon(name: IconName): SVGElement {
  return createElement(iconNodes[name], {
    class: 'collab-editor-icon',
    'aria-hidden': 'true',
    focusable: 'false',
  })
}
