// The Lua scripts of document ownership. Each runs atomically in Redis, so two instances that
// claim one document at once agree on its owner. Imports nothing.

/**
 * KEYS[1] the document's owner key; ARGV[1] this instance, ARGV[2] the key prefix. The owner
 * stays when it is another live instance: its liveness key exists and its inbox has a
 * subscriber (gone at once when its process dies, as Redis sees the connection close). Else this
 * instance becomes the owner. Returns {owner, 1 when this took over from a dead owner else 0}.
 */
export const claimScript = `
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then
  local listening = redis.call('PUBSUB', 'NUMSUB', ARGV[2] .. 'inbox:' .. owner)[2]
  if listening > 0 and redis.call('EXISTS', ARGV[2] .. 'instance:' .. owner) == 1 then
    return {owner, 0}
  end
  redis.call('SET', KEYS[1], ARGV[1])
  return {ARGV[1], 1}
end
redis.call('SET', KEYS[1], ARGV[1])
return {ARGV[1], 0}`

/** KEYS[1] the owner key; ARGV[1] this instance: deletes it only while it names this instance. */
export const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`
