extension EventContracts {
  /// The contract the bus itself keeps: `event.failed`, which dead letters announce. Services
  /// add their own with ``adding(_:)``.
  public static let bus = EventContracts([
    (
      DeadLetterQueue.failedType,
      #"""
      {"$schema":"https://json-schema.org/draft/2020-12/schema","title":"An event was dead-lettered",
       "type":"object","required":["event","error","permanent","attempts","group","stream","entryId"],
       "properties":{"event":{"type":["object","null"]},"error":{"type":"string"},"permanent":{"type":"boolean"},
        "attempts":{"type":"integer"},"group":{"type":"string"},"stream":{"type":"string"},"entryId":{"type":"string"}}}
      """#
    )
  ])
}
