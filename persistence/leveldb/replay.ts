// On open, writes into LevelDB the appends that a previous process acknowledged through the
// write-ahead log but did not get into LevelDB before it stopped, then deletes the log's files.
// Imports nothing from server/.
import type { BatchOperation, Database } from './database.js'
import { compactedKeys, logKey, logKeyPrefix, parseSeq } from './keys.js'
import { type WalFileSystem, recoverWriteAheadLog } from './write-ahead-log.js'

/**
 * Writes what the write-ahead log in `directory` holds into `db` (one synced batch; puts are
 * idempotent), skipping the appends that a compaction already covers, and deletes the files.
 * A record cut short at the end of a file (never acknowledged) is ignored and reported.
 */
export async function replayWriteAheadLog(
  db: Database,
  directory: string,
  fs: WalFileSystem,
  onProblem: (message: string) => void,
): Promise<void> {
  const recovered = recoverWriteAheadLog(directory, fs)
  if (recovered.ignoredBytes > 0) {
    onProblem(
      `ignored ${recovered.ignoredBytes} bytes at the end of the write-ahead log: a write cut short by a crash or a failed write, never acknowledged`,
    )
  }
  // Sequence numbers keep rising across compactions, so `snapshot-seq` tells which appends the
  // compacted state holds already: writing those again would bring back deleted log entries.
  const compactedSeqs = new Map<string, number>()
  const operations: BatchOperation[] = []
  for (const { room, seq, update } of recovered.records) {
    let compactedSeq = compactedSeqs.get(room)
    if (compactedSeq === undefined) {
      const stored = await db.get(compactedKeys(room).seq)
      compactedSeq = stored ? parseSeq(stored) : 0
      compactedSeqs.set(room, compactedSeq)
    }
    if (seq > compactedSeq) {
      operations.push({
        type: 'put',
        key: logKey(logKeyPrefix(room), seq),
        value: Buffer.from(update.buffer, update.byteOffset, update.byteLength),
      })
    }
  }
  if (operations.length > 0) await db.batch(operations, true)
  recovered.discard()
}
