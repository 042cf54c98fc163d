/// A mistake in how the tool was called or in what it was given; the message says what to fix.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
