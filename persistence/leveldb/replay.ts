// On open, writes into LevelDB the appends that a previous process acknowledged through the
// write-ahead log but did not get into LevelDB before it stopped, then deletes the log's files,
// or keeps a damaged one aside for the operator. Imports nothing from server/.
import { join } from 'node:path'
import type { BatchOperation, Database } from './database.js'
import { indexPut } from './document-index.js'
import { compactedKeys, logKey, logKeyPrefix, metaKey, parseSeq } from './keys.js'
import { encodeMetaRecord } from './meta-record.js'
import { type ProblemLevel, reportWalDamage } from './wal-damage-report.js'
import type { WalRecord } from './wal-record.js'
import { type WalFileSystem, recoverWriteAheadLog } from './write-ahead-log.js'

/** Where the write-ahead log lives, and where replay moves its damaged files. */
export interface WalDirectories {
  /** `<data>/write-ahead-log`. */
  log: string
  /** `<data>/write-ahead-log-damaged`: one directory per replay that found damage. */
  damaged: string
}

// Sequence numbers keep rising across compactions, so `snapshot-seq` tells which appends the
// compacted state holds already: writing those again would bring back deleted log entries (also
// of a deleted document, whose `snapshot-seq` stays). A room whose first appends only reached the
// write-ahead log has no `meta` yet: replay writes it, dated now, with the room's index entry.
async function writeRecords(db: Database, records: WalRecord[]): Promise<void> {
  const rooms = new Map<
    string,
    { compactedSeq: number; hasMeta: boolean; logBytes: number; logEntries: number }
  >()
  const operations: BatchOperation[] = []
  for (const { room, seq, update } of records) {
    let state = rooms.get(room)
    if (state === undefined) {
      const [compactedSeq, meta] = await Promise.all([
        db.get(compactedKeys(room).seq),
        db.get(metaKey(room)),
      ])
      state = {
        compactedSeq: compactedSeq ? parseSeq(compactedSeq) : 0,
        hasMeta: meta !== undefined,
        logBytes: 0,
        logEntries: 0,
      }
      rooms.set(room, state)
    }
    if (seq > state.compactedSeq) {
      operations.push({
        type: 'put',
        key: logKey(logKeyPrefix(room), seq),
        value: Buffer.from(update.buffer, update.byteOffset, update.byteLength),
      })
      state.logBytes += update.length
      state.logEntries++
    }
  }
  const now = Date.now()
  for (const [room, { hasMeta, logBytes, logEntries }] of rooms) {
    if (hasMeta || logEntries === 0) continue
    const times = { createdAtMs: now, updatedAtMs: now, snapshotBytes: 0 }
    operations.push(
      { type: 'put', key: metaKey(room), value: encodeMetaRecord(times, logBytes, logEntries) },
      indexPut(room),
    )
  }
  if (operations.length > 0) await db.batch(operations, true)
}

/** `20260102T030405.678Z`: the UTC time in ISO 8601's basic format, safe in any file name. */
const basicUtcTime = (date: Date): string => date.toISOString().replace(/[-:]/g, '')

/**
 * Writes what the write-ahead log holds into `db` (one synced batch; puts are idempotent),
 * skipping the appends that a compaction already covers. A file is read up to its first cut or
 * damaged record: nothing from there on reaches LevelDB, and the file is moved, byte for byte, to
 * `<damaged>/<UTC time of this replay>/<its name>` and reported (reportWalDamage); the other
 * files are deleted. Rejects when the write or a move fails; the files not yet moved or deleted
 * then stay for the next open.
 */
export async function replayWriteAheadLog(
  db: Database,
  directories: WalDirectories,
  fs: WalFileSystem,
  onProblem: (message: string, level: ProblemLevel) => void,
): Promise<void> {
  const files = recoverWriteAheadLog(directories.log, fs)
  const records = files.flatMap((file) => file.records)
  await writeRecords(db, records)
  const keptDirectory = join(directories.damaged, basicUtcTime(new Date()))
  if (files.some((file) => file.damage)) {
    fs.makeDirectory(directories.damaged)
    fs.makeDirectory(keptDirectory)
  }
  for (const [index, { name, path, damage }] of files.entries()) {
    if (!damage) {
      fs.remove(path)
      continue
    }
    const keptPath = join(keptDirectory, name)
    fs.move(path, keptPath)
    // Reported once moved, so that the message names where the file really is.
    const isNewest = index === files.length - 1
    const { level, message } = reportWalDamage({ name, damage, isNewest, keptPath })
    onProblem(message, level)
  }
}
