// "123 words · 456 characters" for the status bar, kept up to date as the document changes. A
// count walks the whole text, so it runs at most once per animation frame, and for a long
// document only once typing pauses.
import type { Node } from 'prosemirror-model'
import { Plugin } from 'prosemirror-state'

/** How many words and characters a document's text has. */
export interface TextCounts {
  words: number
  characters: number
}

// Above this many characters a recount waits for a pause in the changes.
const longDocumentCharacters = 50_000
const longDocumentDelayMs = 300

const segmenterOf = (granularity: 'word' | 'grapheme'): Intl.Segmenter | null =>
  typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity }) : null

/**
 * Counts the words (Intl.Segmenter's word-like segments, or runs of letters and digits where
 * there is no Segmenter) and the characters (grapheme clusters: an emoji is one) of `doc`'s text,
 * not counting the breaks between blocks.
 */
export function countText(
  doc: Node,
  words = segmenterOf('word'),
  graphemes = segmenterOf('grapheme'),
): TextCounts {
  const text = doc.textBetween(0, doc.content.size, '\n', '\n')
  let wordCount = 0
  if (words) {
    for (const segment of words.segment(text)) if (segment.isWordLike) wordCount++
  } else {
    wordCount = text.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu)?.length ?? 0
  }
  const characters = text.replace(/\n/g, '')
  const characterCount = graphemes
    ? Array.from(graphemes.segment(characters)).length
    : [...characters].length
  return { words: wordCount, characters: characterCount }
}

const numberFormat = new Intl.NumberFormat('en')

/** "1 word · 5 characters", "1,204 words · 6,630 characters". */
export function describeCounts({ words, characters }: TextCounts): string {
  const wordText = `${numberFormat.format(words)} ${words === 1 ? 'word' : 'words'}`
  const characterText = `${numberFormat.format(characters)} ${characters === 1 ? 'character' : 'characters'}`
  return `${wordText} · ${characterText}`
}

/** The count's element (the caller mounts it) and the plugin that keeps it up to date. */
export interface WordCount {
  /** `span.collab-editor-word-count`. */
  readonly element: HTMLElement
  readonly plugin: Plugin
}

/** Creates the word count; it shows the document's counts once the plugin's view exists. */
export function createWordCount(): WordCount {
  const element = document.createElement('span')
  element.className = 'collab-editor-word-count'
  const words = segmenterOf('word')
  const graphemes = segmenterOf('grapheme')
  const plugin = new Plugin({
    view(view) {
      let doc = view.state.doc
      let frame = 0
      let timer: ReturnType<typeof setTimeout> | undefined
      const show = (): void => {
        frame = 0
        timer = undefined
        element.textContent = describeCounts(countText(doc, words, graphemes))
      }
      show()
      return {
        update(view) {
          if (view.state.doc === doc) return
          doc = view.state.doc
          if (doc.content.size > longDocumentCharacters) {
            clearTimeout(timer)
            timer = setTimeout(show, longDocumentDelayMs)
          } else if (!frame && timer === undefined) {
            frame = requestAnimationFrame(show)
          }
        },
        destroy() {
          cancelAnimationFrame(frame)
          clearTimeout(timer)
        },
      }
    },
  })
  return { element, plugin }
}
