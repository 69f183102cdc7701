import EvtBus
import Testing

@Suite("JSON codec")
struct JSONTests {
  @Test("minify removes white space and keeps every string and number as written")
  func minify() throws {
    let text = " { \"a\" : [ 1 , 2.50 , -0.1e+5 ] ,\n \"b\" : \"x \\u00e9 \\n y\" , \"c\" : { } , \"d\" : [ ] , \"e\" : null } "
    let out = try JSON.minify(Array(text.utf8))
    #expect(String(decoding: out, as: UTF8.self) == #"{"a":[1,2.50,-0.1e+5],"b":"x \u00e9 \n y","c":{},"d":[],"e":null}"#)
  }

  @Test("parse keeps member order and number text")
  func parse() throws {
    let v = try JSON.parse(#"{"z":1,"a":[true,false,null],"n":12345678901234567890}"#)
    guard case .object(let members) = v else { Issue.record("not an object"); return }
    #expect(members.map(\.key) == ["z", "a", "n"])
    #expect(v["n"] == .number("12345678901234567890"))
    #expect(String(decoding: v.serialized, as: UTF8.self) == #"{"z":1,"a":[true,false,null],"n":12345678901234567890}"#)
  }

  @Test(
    "a member name given twice is refused, also when written with escapes or nested",
    arguments: [#"{"a":1,"a":2}"#, #"{"a":1,"\u0061":2}"#, #"{"x":{"b":1,"b":2}}"#, #"[{"k":1,"k":1}]"#, #"{"":1,"":2}"#])
  func duplicateNames(_ text: String) {
    #expect(throws: JSONError.self) { try JSON.parse(text) }
    #expect(throws: JSONError.self) { try JSON.minify(Array(text.utf8)) }
    #expect(throws: JSONError.self) { try JSON.objectView(Array(text.utf8)) }
  }

  @Test("names that only look alike are different members")
  func distinctNames() throws {
    let many = "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
    #expect(throws: Never.self) { try JSON.minify(Array(#"{"a":1,"A":2,"a ":3,"b":{"a":1}}"#.utf8)) }
    #expect(throws: Never.self) { try JSON.minify(Array(many.utf8)) }
    #expect(throws: JSONError.self) { try JSON.minify(Array((many.dropLast() + #","k7":0}"#).utf8)) }
    #expect(throws: JSONError.self) { try JSON.minify(Array((many.dropLast() + #","\u006b7":0}"#).utf8)) }
    #expect(throws: JSONError.self) { try JSON.objectView(Array(#"{"x":{"a":1,"\u0061":2}}"#.utf8)) }
  }

  @Test("text for people is escaped: controls, C1, separators and bidi controls; ordinary text stays")
  func printable() {
    #expect(Printable.escaped("Grüße, 世界 😀") == "Grüße, 世界 😀")
    #expect(Printable.escaped("a\u{1B}]0;x\u{07}\nb") == "a\\e]0;x\\u{7}\\nb")
    #expect(Printable.escaped("\u{85}\u{9B}\u{202E}\u{2028}\u{2066}") == "\\u{85}\\u{9b}\\u{202e}\\u{2028}\\u{2066}")
  }

  @Test("email addresses fit for headers: plain local@domain, nothing that could break a line or a command")
  func emailAddresses() {
    for good in ["a@example.com", "first.last+tag@sub.example.org", "x_y-z@a-b.co"] { #expect(EmailAddress.isValid(good), "\(good)") }
    for bad in [
      "victim@example.com>\r\nBcc: a@evil.com", "not-an-address", "a@localhost", "a b@example.com", "<a@example.com>",
      "a@example.com\n", "a@@example.com", ".a@example.com", "a@example.123", "a@-x.com",
    ] {
      #expect(!EmailAddress.isValid(bad), "\(bad)")
    }
  }

  @Test("escapes decode, including surrogate pairs")
  func escapes() throws {
    let v = try JSON.parse(#""a\"b\\c\/d\b\f\n\r\t\u0041\ud83d\ude00""#)
    #expect(v == .string("a\"b\\c/d\u{08}\u{0C}\n\r\tA😀"))
    #expect(String(decoding: v.serialized, as: UTF8.self) == #""a\"b\\c/d\u0008\u000c\n\r\tA😀""#)
  }

  @Test(
    "invalid JSON is refused with a position",
    arguments: [
      "", "{", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul", "'a'",
      "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "{} {}", "[1 2]", "{a:1}", "NaN",
      "\"tab\there\"",
    ])
  func invalid(_ text: String) {
    #expect(throws: JSONError.self) { try JSON.parse(text) }
    #expect(throws: JSONError.self) { try JSON.minify(Array(text.utf8)) }
  }

  @Test("invalid UTF-8 inside a string is refused")
  func invalidUTF8() {
    #expect(throws: JSONError.self) { try JSON.minify([34, 0xC3, 0x28, 34]) }
    #expect(throws: JSONError.self) { try JSON.minify([0xFF]) }
  }

  @Test("deep nesting is refused, not a stack overflow")
  func depth() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONError.self) { try JSON.minify(Array(deep.utf8)) }
    let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
    #expect(throws: Never.self) { try JSON.minify(Array(ok.utf8)) }
  }

  @Test("errors name the column")
  func errorColumn() {
    do {
      _ = try JSON.parse("{\"a\":1 x}")
    } catch {
      #expect(error.description == "unexpected 'x': expected ',' or '}' at column 8")
    }
  }
}
