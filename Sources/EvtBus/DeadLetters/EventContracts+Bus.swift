extension EventContracts {
  /// The contract the bus itself keeps: `event.failed`, which dead letters announce. Services
  /// add their own with ``adding(_:)``.
  public static let bus = EventContracts([
    EventSchema(
      type: DeadLetterQueue.failedType,
      fields: [
        EventSchema.Field("event", [.object], nullable: true), .string("error"), EventSchema.Field("permanent", [.boolean]),
        EventSchema.Field("attempts", [.integer]), .string("group"), .string("stream"), .string("entryId"),
      ])
  ])
}
