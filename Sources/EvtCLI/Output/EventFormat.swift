import EvtBus

#if canImport(Glibc)
  import Glibc
#endif

/// How events are printed.
enum EventFormat: Equatable {
  /// The envelope exactly as stored, one per line.
  case json
  /// `timestamp type id data [headers]`, optionally coloured.
  case readable(color: Bool)
}
