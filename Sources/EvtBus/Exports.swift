// A program that embeds the bus imports EvtBus alone: the codec (JSON, envelopes, ids, times,
// contracts; a target of its own, so the fuzz target builds on it alone) and the connection it
// passes to the bus's types (RedisConnection, RedisURL, RedisError) come with it. Their
// plumbing is `package`: only evt's own targets see it.
@_exported import EvtCodec
@_exported import EvtRedis
