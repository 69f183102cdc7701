import CCurl
import EvtBus
import EvtRedis

/// Sends mail through an SMTP server with libcurl: `smtp://host[:port]` (STARTTLS when the
/// server offers it, required with `requireTLS`) or `smtps://host[:port]` (TLS from the start),
/// with optional user and password (from the URL or given separately).
///
/// A connection is opened per message. A 5xx reply to the message (a refused recipient, …) is a
/// permanent ``MailError``; a 4xx reply to its recipient concerns that message only
/// (``MailError/messageOnly``); everything else (no connection, time-outs, other 4xx) is a
/// temporary failure of the server. Errors quote the server's own reply.
package struct SMTPMailer: Mailer {
  package let url: String
  package let username: String?
  package let password: String?
  package let requireTLS: Bool
  /// Seconds for connecting, and for the whole exchange of one message.
  package let connectTimeout: Int
  package let timeout: Int

  /// - Throws: ``MailError`` when the URL is not `smtp://` or `smtps://` with a host.
  package init(
    url: String, username: String? = nil, password: String? = nil, requireTLS: Bool = false, connectTimeout: Int = 10,
    timeout: Int = 60
  ) throws(MailError) {
    let lower = url.lowercased()
    guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://"), url.split(separator: "/").count >= 2 else {
      throw MailError("the SMTP URL \(RedisURL.mask(url)) must look like smtp://host:port or smtps://host:port")
    }
    self.url = url
    self.username = username
    self.password = password
    self.requireTLS = requireTLS
    self.connectTimeout = connectTimeout
    self.timeout = timeout
    if case .failure(let error) = Self.library { throw error }
  }

  /// libcurl, opened on first use (a mailer is made only by `run-email-worker --smtp`), with
  /// its global set-up done once before any thread uses it.
  private static let library: Result<Curl, MailError> = {
    var api = evt_curl_api()
    guard evt_curl_load(&api) == 0 else {
      return .failure(
        MailError("cannot load libcurl (\(String(cString: evt_curl_load_error()))): install Debian's libcurl4 to send mail over SMTP"))
    }
    _ = api.global_init!(Int(CURL_GLOBAL_DEFAULT))
    return .success(Curl(api: api))
  }()

  /// libcurl's text for a result code.
  private static func describe(_ api: evt_curl_api, _ code: CURLcode) -> String {
    api.easy_strerror!(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
  }

  /// The loaded library (``init`` has checked it is there).
  private var curl: Curl {
    guard case .success(let library) = Self.library else { preconditionFailure("libcurl was checked when the mailer was made") }
    return library
  }

  /// The URL without its password, for logs.
  package var destination: String {
    guard let at = url.lastIndex(of: "@"), let scheme = url.firstRange(of: "://") else { return url }
    return String(url[..<scheme.upperBound]) + "…" + String(url[at...])
  }

  package func send(_ mail: Mail) throws(MailError) {
    let lib = self.curl
    var api = lib.api
    guard let handle = api.easy_init!() else { throw MailError("libcurl could not make a handle") }
    defer { api.easy_cleanup!(handle) }
    let recipients: UnsafeMutablePointer<curl_slist>? = api.slist_append!(nil, "<\(mail.to.email)>")
    defer { api.slist_free_all!(recipients) }

    let upload = Upload(mail.rendered)
    let context = Unmanaged.passRetained(upload)
    defer { context.release() }
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    defer { errorBuffer.deallocate() }

    var code = CURLE_OK
    func set(_ c: CURLcode) { if code == CURLE_OK { code = c } }
    withUnsafePointer(to: &api) { p in
      set(evt_curl_set_string(p, handle, CURLOPT_URL, url))
      set(evt_curl_set_string(p, handle, CURLOPT_MAIL_FROM, "<\(mail.from.email)>"))
      set(evt_curl_set_pointer(p, handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients)))
      set(evt_curl_set_long(p, handle, CURLOPT_UPLOAD, 1))
      set(evt_curl_set_read_function(p, handle, readCallback))
      set(evt_curl_set_pointer(p, handle, CURLOPT_READDATA, context.toOpaque()))
      set(evt_curl_set_long(p, handle, CURLOPT_CONNECTTIMEOUT, connectTimeout))
      set(evt_curl_set_long(p, handle, CURLOPT_TIMEOUT, timeout))
      set(evt_curl_set_long(p, handle, CURLOPT_NOSIGNAL, 1))
      set(evt_curl_set_long(p, handle, CURLOPT_USE_SSL, Int(requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue)))
      if let username { set(evt_curl_set_string(p, handle, CURLOPT_USERNAME, username)) }
      if let password { set(evt_curl_set_string(p, handle, CURLOPT_PASSWORD, password)) }
      set(evt_curl_set_pointer(p, handle, CURLOPT_ERRORBUFFER, errorBuffer))
      // The server's replies, to quote its refusal in errors.
      set(evt_curl_set_long(p, handle, CURLOPT_VERBOSE, 1))
      set(evt_curl_set_debug_function(p, handle, debugCallback))
      set(evt_curl_set_pointer(p, handle, CURLOPT_DEBUGDATA, context.toOpaque()))
    }
    guard code == CURLE_OK else { throw MailError("libcurl refused an option: \(Self.describe(api, code))") }

    let result = api.easy_perform!(handle)
    if result == CURLE_OK { return }
    var response = 0
    _ = withUnsafePointer(to: &api) { evt_curl_get_long($0, handle, CURLINFO_RESPONSE_CODE, &response) }
    let detail = String(cString: errorBuffer)
    let text = detail.isEmpty ? Self.describe(api, result) : detail
    var reply = response > 0 ? " (SMTP \(response))" : ""
    if let last = upload.lastReply, response > 0 { reply = " (the server said: \(last))" }
    let permanent = response >= 500 && response < 600 && result != CURLE_LOGIN_DENIED
    let messageOnly = response >= 400 && response < 500 && response != 421 && text.contains("RCPT")
    throw MailError("\(destination): \(text)\(reply)", permanent: permanent, messageOnly: messageOnly)
  }
}

/// The message bytes libcurl reads while uploading, and the server's first refusal.
private final class Upload {
  let bytes: [UInt8]
  var offset = 0
  var lastReply: String?
  init(_ bytes: [UInt8]) { self.bytes = bytes }
}

private func debugCallback(
  _ handle: UnsafeMutableRawPointer?, _ type: curl_infotype, _ data: UnsafeMutablePointer<CChar>?, _ size: Int,
  _ context: UnsafeMutableRawPointer?
) -> Int32 {
  guard type == CURLINFO_HEADER_IN, let data, let context, size > 0 else { return 0 }
  let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
  let bytes = UnsafeRawBufferPointer(start: data, count: min(size, 512))
  let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: "\r\n ")
  // Keep the first refusal (4xx or 5xx): what comes after it is the goodbye.
  if upload.lastReply == nil, line.first == "4" || line.first == "5" { upload.lastReply = Printable.escaped(line) }
  return 0
}

extension String {
  fileprivate func trimmingCharacters(in set: String) -> String {
    var s = Substring(self)
    while let c = s.last, set.contains(c) { s = s.dropLast() }
    while let c = s.first, set.contains(c) { s = s.dropFirst() }
    return String(s)
  }
}

private func readCallback(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
  guard let buffer, let context else { return 0 }
  let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
  let n = min(size * count, upload.bytes.count - upload.offset)
  guard n > 0 else { return 0 }
  upload.bytes.withUnsafeBytes { raw in
    UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + upload.offset, byteCount: n)
  }
  upload.offset += n
  return n
}

/// libcurl's entry points, loaded with `dlopen`.
private struct Curl: @unchecked Sendable {
  let api: evt_curl_api
}
