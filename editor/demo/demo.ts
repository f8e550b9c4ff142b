// The demo page served at /: picks the document from ?doc= (a new random name put into the
// address bar when absent) and the user's name from ?user=, then shows <collab-editor> for them.
import { validateRoomName } from '../../protocol/room-name.js'

const adjectives = ['amber', 'bright', 'quiet', 'rapid', 'silver', 'sunny', 'velvet', 'windy']
const nouns = ['meadow', 'harbor', 'canyon', 'forest', 'island', 'lagoon', 'summit', 'valley']

function randomDocumentName(): string {
  const pick = (words: string[]): string => words[Math.floor(Math.random() * words.length)] ?? ''
  const suffix = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')
  return `${pick(adjectives)}-${pick(nouns)}-${suffix}`
}

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector)
  if (!found) throw new Error(`the demo page lacks ${selector}`)
  return found
}

function start(): void {
  const url = new URL(window.location.href)
  const requested = url.searchParams.get('doc')
  const checked = requested === null ? undefined : validateRoomName(requested)
  if (checked && !checked.ok) {
    element('#doc-name').textContent = `invalid document name: ${checked.reason}`
    return
  }
  const documentName = checked?.name ?? randomDocumentName()
  if (!checked) {
    url.searchParams.set('doc', documentName)
    window.history.replaceState(null, '', url)
  }
  document.title = `${documentName} · Collaborative editor`
  element('#doc-name').textContent = documentName

  const editor = document.createElement('collab-editor')
  editor.setAttribute('server', `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`)
  editor.setAttribute('document', documentName)
  // Without ?user= the editor uses the name this browser kept (or a random one it keeps).
  const userName = url.searchParams.get('user')
  if (userName) editor.setAttribute('user-name', userName)
  element('#editor').append(editor)

  const copyButton = element<HTMLButtonElement>('#copy-link')
  copyButton.addEventListener('click', () => {
    // Share the document, not this user's name.
    const link = new URL(window.location.href)
    link.searchParams.delete('user')
    navigator.clipboard.writeText(link.href).then(
      () => (copyButton.textContent = 'Link copied'),
      () => window.prompt('Copy this link', link.href),
    )
  })
}

start()
