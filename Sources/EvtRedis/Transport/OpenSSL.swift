import COpenSSL

#if canImport(Glibc)
  import Glibc
#endif

/// OpenSSL, opened with `dlopen` by the first TLS connection.
enum OpenSSL {
  /// The entry points, or why they could not be loaded.
  static let api: Result<evt_ssl_api, RedisError> = {
    var api = evt_ssl_api()
    guard evt_ssl_load(&api) == 0 else {
      let why = String(cString: evt_ssl_load_error())
      return .failure(
        RedisError(.unavailable, "TLS needs OpenSSL 3 (libssl.so.3), which could not be loaded: \(why) — install Debian's libssl3"))
    }
    return .success(api)
  }()

  /// One context per set of options, made once: loading CA files is slow.
  private static let contexts = ContextCache()

  static func context(for options: TLSOptions) throws(RedisError) -> OpaquePointer {
    let api = try api.get()
    return try contexts.context(for: options) { () throws(RedisError) in try makeContext(api, options) }
  }

  private static func makeContext(_ api: evt_ssl_api, _ options: TLSOptions) throws(RedisError) -> OpaquePointer {
    api.err_clear_error()
    guard let ctx = api.ctx_new(api.tls_client_method()) else {
      throw RedisError(.unavailable, "cannot set up TLS: \(errorText(api))")
    }
    withUnsafePointer(to: api) {
      evt_ssl_ctx_set_write_modes($0, ctx)
      evt_ssl_ctx_require_tls12($0, ctx)
    }
    // The options name files that cannot be used: configuration (exit 64), like a missing file.
    func fail(_ what: String) -> RedisError {
      let e = RedisError(.invalidURL, "\(what): \(errorText(api))")
      api.ctx_free(ctx)
      return e
    }
    if options.insecure {
      api.ctx_set_verify(ctx, SSL_VERIFY_NONE, nil)
    } else {
      api.ctx_set_verify(ctx, SSL_VERIFY_PEER, nil)
      if let ca = options.caFile {
        guard api.ctx_load_verify_locations(ctx, ca, nil) == 1 else {
          throw fail("cannot use \(Self.quoted(ca)) as --tls-ca-file (a PEM file of CA certificates)")
        }
      } else if api.ctx_set_default_verify_paths(ctx) != 1 {
        throw fail("cannot load the system's trusted CAs")
      }
    }
    if let cert = options.certFile {
      guard api.ctx_use_certificate_chain_file(ctx, cert) == 1 else {
        throw fail("cannot use \(Self.quoted(cert)) as --tls-cert-file (a PEM certificate)")
      }
      let key = options.keyFile ?? cert
      guard api.ctx_use_private_key_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
        throw fail("cannot use \(Self.quoted(key)) as --tls-key-file (the certificate's PEM private key)")
      }
      guard api.ctx_check_private_key(ctx) == 1 else {
        throw fail("--tls-key-file does not belong to --tls-cert-file")
      }
    }
    return ctx
  }

  /// The reason of the oldest error OpenSSL queued ("certificate verify failed"), without
  /// its code and library prefix; clears the queue.
  static func errorText(_ api: evt_ssl_api) -> String {
    let code = api.err_get_error()
    api.err_clear_error()
    guard code != 0 else { return "unknown TLS error" }
    var buffer = [CChar](repeating: 0, count: 256)
    api.err_error_string_n(code, &buffer, buffer.count)
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // "error:0A000086:SSL routines::certificate verify failed"
    if let colon = text.lastIndex(of: ":") { return String(text[text.index(after: colon)...]) }
    return text
  }

  static func quoted(_ path: String) -> String { "'\(path)'" }

  private final class ContextCache: @unchecked Sendable {
    private var contexts: [TLSOptions: OpaquePointer] = [:]
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }

    func context(for options: TLSOptions, make: () throws(RedisError) -> OpaquePointer) throws(RedisError) -> OpaquePointer {
      pthread_mutex_lock(&mutex)
      defer { pthread_mutex_unlock(&mutex) }
      if let ctx = contexts[options] { return ctx }
      let ctx = try make()
      contexts[options] = ctx
      return ctx
    }
  }
}
