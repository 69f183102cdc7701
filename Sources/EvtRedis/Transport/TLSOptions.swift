import COpenSSL

#if canImport(Glibc)
  import Glibc
#endif

/// How to talk TLS to a server reached with a `rediss://` URL.
///
/// By default the server's certificate must chain to a CA the system trusts (or to
/// ``caFile``) and name the host of the URL (or ``serverName``); ``insecure`` turns both
/// checks off. A client certificate (``certFile`` and ``keyFile``) is presented when given,
/// for servers that require mutual TLS. TLS 1.2 or newer.
public struct TLSOptions: Sendable, Hashable {
  /// PEM file of the CAs trusted to sign the server's certificate; `nil`: the system's.
  public var caFile: String?
  /// PEM file of the client certificate (and its chain), for mutual TLS.
  public var certFile: String?
  /// PEM file of the client certificate's private key.
  public var keyFile: String?
  /// The name the server's certificate must carry, and the one sent in the handshake (SNI);
  /// `nil`: the URL's host.
  public var serverName: String?
  /// Accepts any certificate: encryption without knowing who is at the other end.
  public var insecure: Bool

  public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, insecure: Bool = false) {
    self.caFile = caFile
    self.certFile = certFile
    self.keyFile = keyFile
    self.serverName = serverName
    self.insecure = insecure
  }
}
