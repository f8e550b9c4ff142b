// Presence in real browsers: seven people get seven distinct colours, each is listed once
// however many tabs they have open (by user ID when given, else by name and colour), the list
// overflows into "+N", people rename themselves from the page, and remote carets show their
// names only for a while after activity, without labels piling on each other.
import assert from 'node:assert/strict'
import { before } from 'node:test'
import type { Locator, Page } from 'playwright-core'
import {
  browserTest,
  buildEditor,
  makeTestSite,
  placeCaretAtEndOf,
  publicDirectory,
  saveScreenshot,
  waitForText,
  waitSynced,
} from '../helpers/browser.js'
import { startServer } from '../helpers/start-server.js'
import { until } from '../helpers/until.js'

before(buildEditor)

/** Longer than the editor's 3 s label time, shorter than the tests' deadlines. */
const labelHiddenTimeoutMs = 6_000

interface ListedPerson {
  text: string
  color: string | null
  isHidden: boolean
  title: string | null
}

// The DOM the page-side function below uses: the root tsconfig has no DOM library.
interface PageElement {
  readonly textContent: string | null
  readonly hidden: boolean
  readonly title: string
  getAttribute(name: string): string | null
}

/** The presence list as the page shows it, one entry per `.collab-presence-user`. */
function listedPeople(page: Page): Promise<ListedPerson[]> {
  return page.locator('.collab-presence-user').evaluateAll((elements: PageElement[]) =>
    elements.map((element) => ({
      text: element.textContent ?? '',
      color: element.getAttribute('data-color'),
      isHidden: element.hidden,
      title: element.title,
    })),
  )
}

/** Waits until the page lists exactly `names` (this user's marked " (you)"), in any order. */
async function waitForPeople(page: Page, names: string[]): Promise<ListedPerson[]> {
  const expected = [...names].sort().join('|')
  let people: ListedPerson[] = []
  await until(
    async () => {
      people = await listedPeople(page)
      return (
        people
          .map((person) => person.text)
          .sort()
          .join('|') === expected
      )
    },
    { what: `the list to show ${expected}`, timeoutMs: 20_000 },
  ).catch((error: unknown) => {
    throw new Error(`the list shows ${JSON.stringify(people)}`, { cause: error })
  })
  return people
}

/** The caret of `name` on `page` and its name label. */
function caretOf(page: Page, name: string): { caret: Locator; label: Locator } {
  const caret = page.locator('.ProseMirror-yjs-cursor', { hasText: name })
  return { caret, label: caret.locator('div') }
}

browserTest(
  'seven people get seven distinct colours and are listed once each, with "+N" overflow',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=seven`
    const names = ['Ada Lovelace', 'Ben', 'Cleo Park', 'Dev', 'Eve', 'Finn', 'Gus']
    // All join at once, so that some choose a colour at the same moment.
    const people = await Promise.all(names.map((name) => session.open(`${link}&user=${name}`)))
    await Promise.all(people.map(({ page }) => waitSynced(page)))
    // Gus opens a second tab: same browser, same name.
    const gus = people[6]!
    const gusSecondTab = await gus.context.newPage()
    await gusSecondTab.goto(`${link}&user=Gus`)
    await waitSynced(gusSecondTab)

    const ada = people[0]!.page
    const expected = names.map((name) => (name === 'Ada Lovelace' ? `${name} (you)` : name))
    const listed = await waitForPeople(ada, expected)
    await until(
      async () => new Set((await listedPeople(ada)).map((person) => person.color)).size === 7,
      { what: 'seven distinct colours', timeoutMs: 20_000 },
    )
    const colors = (await listedPeople(ada)).map((person) => person.color)
    for (const color of colors) assert.match(color ?? '', /^#[0-9a-f]{6}$/)
    // Every page agrees on everyone's colour, Gus's tabs included.
    const colorByName = async (page: Page): Promise<string> => {
      const entries = await listedPeople(page)
      return entries
        .map((person) => `${person.text.replace(' (you)', '')}=${person.color}`)
        .sort()
        .join(',')
    }
    const adaView = await colorByName(ada)
    for (const page of [...people.map((person) => person.page), gusSecondTab]) {
      await until(async () => (await colorByName(page)) === adaView, {
        what: 'every page to show the same colours',
      })
    }

    // Ada first and marked as her; five avatars shown, the other two behind "+2" but present.
    assert.equal(listed[0]?.text, 'Ada Lovelace (you)')
    assert.deepEqual(
      listed.map((person) => person.isHidden),
      [false, false, false, false, false, true, true],
    )
    const gusEntry = listed.find((person) => person.text === 'Gus')
    assert.match(gusEntry?.title ?? '', /2 tabs/)
    const more = ada.locator('.collab-presence-more')
    assert.equal(await more.textContent(), '+2')
    assert.equal(
      await ada.locator('ul[aria-label="People in this document"] .collab-presence-user').count(),
      7,
    )

    // Gus's own tabs list him once, as himself.
    const gusView = await waitForPeople(
      gusSecondTab,
      names.map((name) => (name === 'Gus' ? 'Gus (you)' : name)),
    )
    assert.match(gusView[0]?.title ?? '', /^Gus \(you\) · 2 tabs/)

    // A few people type, so that the screenshot shows their carets.
    await ada.locator('.ProseMirror').click()
    await ada.keyboard.type('Launch plan')
    await ada.keyboard.press('Enter')
    await ada.keyboard.type('Ben checks the numbers, Cleo writes the announcement.')
    await waitForText(
      people[1]!.page,
      'Launch plan\nBen checks the numbers, Cleo writes the announcement.',
    )
    await placeCaretAtEndOf(people[1]!.page, 0)
    await people[1]!.page.keyboard.type(' (draft)')
    await placeCaretAtEndOf(people[2]!.page, 1)
    await people[2]!.page.keyboard.type(' Soon.')
    await caretOf(ada, 'Cleo Park').label.waitFor()
    await saveScreenshot(ada, 'presence-seven')

    await more.click()
    const everyone = ada.locator('.collab-presence-people')
    await everyone.waitFor()
    assert.equal(await everyone.locator('.collab-presence-row').count(), 7)
    await everyone.locator('.collab-presence-row', { hasText: 'Gus' }).getByText('2 tabs').waitFor()
    await saveScreenshot(ada, 'presence-seven-everyone')
    await ada.keyboard.press('Escape')
    await everyone.waitFor({ state: 'hidden' })
  },
)

browserTest(
  'tabs with the same user ID are one person, whatever their names',
  async (t, session) => {
    const site = await makeTestSite(t)
    const page = (id: string, name: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title><link rel="icon" href="data:,">
</head><body><collab-editor document="ids" user-id="${id}" user-name="${name}"></collab-editor>
<script type="module" src="/editor.js"></script></body></html>`
    await site.addPage('ada', page('user-1', 'Ada'))
    await site.addPage('ada-renamed', page('user-1', 'Ada L.'))
    await site.addPage('other-ada', page('user-2', 'Ada'))
    const { port } = await startServer(t, { staticDirectory: site.directory })
    const ada = await session.open(`http://127.0.0.1:${port}/ada.html`)
    await waitSynced(ada.page)
    const secondTab = await ada.context.newPage()
    await secondTab.goto(`http://127.0.0.1:${port}/ada-renamed.html`)
    const other = await session.open(`http://127.0.0.1:${port}/other-ada.html`)

    // user-1 is one person, named as one of their tabs is; the other Ada is another person.
    let listed: ListedPerson[] = []
    await until(
      async () => {
        listed = await listedPeople(other.page)
        return listed.length === 2 && /2 tabs/.test(listed[1]?.title ?? '')
      },
      { what: 'the two tabs of user-1 to be listed as one person' },
    )
    const [self, first] = listed
    assert.equal(self?.text, 'Ada (you)')
    assert.ok(['Ada', 'Ada L.'].includes(first?.text ?? ''), first?.text)
    assert.notEqual(self?.color, first?.color)
    // The second tab took the colour its person has in the first.
    await until(
      async () =>
        (await listedPeople(secondTab))[0]?.color === (await listedPeople(ada.page))[0]?.color,
      { what: 'both tabs of user-1 to show one colour' },
    )
  },
)

browserTest('renaming yourself reaches the others and survives a reload', async (t, session) => {
  const { port } = await startServer(t, { staticDirectory: publicDirectory })
  const link = `http://127.0.0.1:${port}/?doc=rename`
  // No ?user=: the editor gives a random name and keeps it in the browser.
  const ann = await session.open(link)
  const bob = await session.open(`${link}&user=Bob`)
  await Promise.all([waitSynced(ann.page), waitSynced(bob.page)])
  const [randomName] = await waitForPeople(ann.page, [
    `${await keptName(ann.page)} (you)`,
    'Bob',
  ]).then((people) => people.map((person) => person.text.replace(' (you)', '')))
  assert.ok(randomName)

  const ownAvatar = ann.page.locator('.collab-presence-user.is-local button')
  const input = ann.page.getByLabel('Your name, as the others see it')
  // Escape leaves the name as it was.
  await ownAvatar.click()
  await input.fill('Not kept')
  await input.press('Escape')
  await input.waitFor({ state: 'hidden' })
  // Enter saves it.
  await ownAvatar.click()
  assert.equal(await input.inputValue(), randomName)
  await input.fill('  Ann Lovelace ')
  await input.press('Enter')
  await input.waitFor({ state: 'hidden' })
  await waitForPeople(bob.page, ['Bob (you)', 'Ann Lovelace'])
  await waitForPeople(ann.page, ['Ann Lovelace (you)', 'Bob'])
  assert.equal(await keptName(ann.page), 'Ann Lovelace')

  await ann.page.reload()
  await waitSynced(ann.page)
  await waitForPeople(ann.page, ['Ann Lovelace (you)', 'Bob'])
  await waitForPeople(bob.page, ['Bob (you)', 'Ann Lovelace'])
})

/** The name the page's browser keeps for the editor. */
function keptName(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("localStorage.getItem('collab-editor:user-name')")
}

browserTest(
  'a remote caret shows its name after activity and on hover, and labels do not pile up',
  async (t, session) => {
    const { port } = await startServer(t, { staticDirectory: publicDirectory })
    const link = `http://127.0.0.1:${port}/?doc=carets`
    const ann = await session.open(`${link}&user=Ann`)
    const bob = await session.open(`${link}&user=Bob`)
    const cleo = await session.open(`${link}&user=Cleo`)
    await Promise.all([ann, bob, cleo].map(({ page }) => waitSynced(page)))
    await ann.page.locator('.ProseMirror').click()
    await ann.page.keyboard.type('Agenda for Monday')
    await waitForText(bob.page, 'Agenda for Monday')

    const annOnBob = caretOf(bob.page, 'Ann')
    await annOnBob.label.waitFor()
    // Quiet for a while: only the caret and its dot remain.
    await annOnBob.label.waitFor({ state: 'hidden', timeout: labelHiddenTimeoutMs })
    await annOnBob.caret.waitFor()
    // Typing shows the name again, without a caret move of its own (the caret is at the end).
    await ann.page.keyboard.type('!')
    await annOnBob.label.waitFor()
    await annOnBob.label.waitFor({ state: 'hidden', timeout: labelHiddenTimeoutMs })
    // Pointing at the caret shows it too.
    const box = await annOnBob.caret.boundingBox()
    assert.ok(box)
    await bob.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await annOnBob.label.waitFor()
    await bob.page.mouse.move(0, 0)
    await annOnBob.label.waitFor({ state: 'hidden' })

    // Ann and Cleo both at the end of the line: of their two labels, only Cleo's (the more
    // recent) shows on Bob's page.
    await placeCaretAtEndOf(cleo.page, 0)
    await ann.page.keyboard.type('?')
    await cleo.page.keyboard.type(' Notes')
    await waitForText(bob.page, 'Agenda for Monday!? Notes')
    await placeCaretAtEndOf(ann.page, 0)
    await ann.page.keyboard.type('.')
    await cleo.page.keyboard.type('.')
    const cleoOnBob = caretOf(bob.page, 'Cleo')
    await cleoOnBob.label.waitFor()
    // The labels are laid out in the frame after a change: wait for it, then none may overlap.
    const overlappingLabels = async (): Promise<string | null> => {
      const boxes: Array<{ x: number; y: number; width: number; height: number }> = []
      for (const label of await bob.page.locator('.ProseMirror-yjs-cursor div').all()) {
        const labelBox = (await label.isVisible()) ? await label.boundingBox() : null
        if (labelBox) boxes.push(labelBox)
      }
      for (const [index, first] of boxes.entries()) {
        for (const second of boxes.slice(index + 1)) {
          const isOverlapping =
            first.x < second.x + second.width &&
            second.x < first.x + first.width &&
            first.y < second.y + second.height &&
            second.y < first.y + first.height
          if (isOverlapping) return JSON.stringify([first, second])
        }
      }
      return null
    }
    await until(async () => (await overlappingLabels()) === null, {
      timeoutMs: 2_000,
      what: 'the labels to stop overlapping',
    })
    assert.ok(await cleoOnBob.label.isVisible(), 'the most recent label shows')
  },
)
