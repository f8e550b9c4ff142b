// The LevelDB store keeps the DocStore contract, with and without fsync.
import { openLevelDbStore } from '../../persistence/leveldb/store.js'
import { runStoreContract } from '../helpers/store-contract.js'
import { makeTempDir } from '../helpers/tmp-dir.js'
import { deferCleanup } from '../helpers/cleanup.js'

for (const syncWrites of [false, true]) {
  runStoreContract(`LevelDB store${syncWrites ? ' with fsync' : ''}`, async (t) => {
    const directory = await makeTempDir(t)
    const open = async () => {
      const store = await openLevelDbStore({ directory, syncWrites })
      deferCleanup(t, () => store.close())
      return store
    }
    return { store: await open(), reopen: open }
  })
}
