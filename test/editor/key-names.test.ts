// Shortcut names per platform: what tooltips, aria-keyshortcuts and the shortcut help show.
import assert from 'node:assert/strict'
import test from 'node:test'
import {
  ariaKeyShortcut,
  currentKeyPlatform,
  shortcutKeyParts,
  shortcutLabel,
} from '../../editor/key-names.js'

void test('Mod is ⌘ on Apple systems and Ctrl elsewhere', () => {
  assert.equal(shortcutLabel('Mod-b', 'mac'), '⌘B')
  assert.equal(shortcutLabel('Mod-b', 'pc'), 'Ctrl+B')
  assert.equal(shortcutLabel('Mod-Shift-z', 'mac'), '⇧⌘Z')
  assert.equal(shortcutLabel('Mod-Shift-z', 'pc'), 'Ctrl+Shift+Z')
})

void test('modifiers are listed in the platform’s order, whatever the notation’s order', () => {
  assert.equal(shortcutLabel('Shift-Ctrl-1', 'mac'), '⌃⇧1')
  assert.equal(shortcutLabel('Shift-Ctrl-1', 'pc'), 'Ctrl+Shift+1')
  assert.equal(shortcutLabel('Shift-Alt-Mod-x', 'mac'), '⌥⇧⌘X')
  assert.equal(shortcutLabel('Shift-Alt-Mod-x', 'pc'), 'Ctrl+Alt+Shift+X')
})

void test('Ctrl stays the Control key on Apple systems', () => {
  assert.equal(shortcutLabel('Ctrl->', 'mac'), '⌃>')
  assert.equal(shortcutLabel('Ctrl->', 'pc'), 'Ctrl+>')
})

void test('named keys get symbols or short names', () => {
  assert.equal(shortcutLabel('Mod-Enter', 'mac'), '⌘↩')
  assert.equal(shortcutLabel('Mod-Enter', 'pc'), 'Ctrl+Enter')
  assert.equal(shortcutLabel('Alt-ArrowUp', 'mac'), '⌥↑')
  assert.equal(shortcutLabel('Alt-ArrowUp', 'pc'), 'Alt+↑')
  assert.equal(shortcutLabel('Escape', 'pc'), 'Esc')
  assert.equal(shortcutLabel('Mod-Space', 'pc'), 'Ctrl+Space')
})

void test('a trailing minus is the minus key, as in prosemirror-keymap', () => {
  assert.equal(shortcutLabel('Mod--', 'pc'), 'Ctrl+-')
  assert.deepEqual(shortcutKeyParts('Mod--', 'mac'), ['⌘', '-'])
})

void test('the parts of a shortcut are the keys to press, one by one', () => {
  assert.deepEqual(shortcutKeyParts('Mod-`', 'mac'), ['⌘', '`'])
  assert.deepEqual(shortcutKeyParts('Shift-Ctrl-\\', 'pc'), ['Ctrl', 'Shift', '\\'])
})

void test('aria-keyshortcuts use ARIA’s modifier names', () => {
  assert.equal(ariaKeyShortcut('Mod-b', 'mac'), 'Meta+B')
  assert.equal(ariaKeyShortcut('Mod-b', 'pc'), 'Control+B')
  assert.equal(ariaKeyShortcut('Shift-Ctrl-1', 'pc'), 'Control+Shift+1')
  assert.equal(ariaKeyShortcut('Mod-Enter', 'pc'), 'Control+Enter')
})

void test('an unknown modifier is refused', () => {
  assert.throws(() => shortcutLabel('Hyper-x', 'pc'), RangeError)
})

void test('the platform follows navigator.platform, as prosemirror-keymap does', () => {
  assert.equal(currentKeyPlatform({ platform: 'MacIntel' }), 'mac')
  assert.equal(currentKeyPlatform({ platform: 'iPhone' }), 'mac')
  assert.equal(currentKeyPlatform({ platform: 'Linux x86_64' }), 'pc')
  assert.equal(currentKeyPlatform({ platform: 'Win32' }), 'pc')
  assert.equal(currentKeyPlatform({ userAgentData: { platform: 'macOS' }, platform: '' }), 'mac')
  assert.equal(currentKeyPlatform({ userAgentData: { platform: 'Windows' } }), 'pc')
  // What prosemirror-keymap binds wins where the two disagree.
  assert.equal(
    currentKeyPlatform({ userAgentData: { platform: 'Linux' }, platform: 'MacIntel' }),
    'mac',
  )
  assert.equal(currentKeyPlatform({}), 'pc')
})
