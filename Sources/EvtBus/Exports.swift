// The codec (JSON, envelopes, ids, times, contracts) is a target of its own, so the fuzz
// target builds on it alone; a program that imports EvtBus sees it as part of the bus.
@_exported import EvtCodec
