#ifndef EVT_COPENSSL_SHIM_H
#define EVT_COPENSSL_SHIM_H
#include <dlfcn.h>
#include <stddef.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

// OpenSSL 3 (Debian's libssl-dev) is not linked: it is opened with dlopen by the first TLS
// connection (a rediss:// URL), so commands that do not use TLS never load it. evt_ssl_api
// holds its entry points; the helpers below stand in for OpenSSL's macros over SSL_ctrl.
typedef struct {
  const SSL_METHOD *(*tls_client_method)(void);
  SSL_CTX *(*ctx_new)(const SSL_METHOD *);
  void (*ctx_free)(SSL_CTX *);
  long (*ctx_ctrl)(SSL_CTX *, int, long, void *);
  void (*ctx_set_verify)(SSL_CTX *, int, SSL_verify_cb);
  int (*ctx_load_verify_locations)(SSL_CTX *, const char *, const char *);
  int (*ctx_set_default_verify_paths)(SSL_CTX *);
  int (*ctx_use_certificate_chain_file)(SSL_CTX *, const char *);
  int (*ctx_use_private_key_file)(SSL_CTX *, const char *, int);
  int (*ctx_check_private_key)(const SSL_CTX *);
  SSL *(*ssl_new)(SSL_CTX *);
  void (*ssl_free)(SSL *);
  int (*ssl_set_fd)(SSL *, int);
  long (*ssl_ctrl)(SSL *, int, long, void *);
  int (*ssl_set1_host)(SSL *, const char *);
  int (*ssl_connect)(SSL *);
  int (*ssl_read)(SSL *, void *, int);
  int (*ssl_write)(SSL *, const void *, int);
  int (*ssl_get_error)(const SSL *, int);
  int (*ssl_pending)(const SSL *);
  int (*ssl_shutdown)(SSL *);
  long (*ssl_get_verify_result)(const SSL *);
  const char *(*verify_error_string)(long);
  unsigned long (*err_get_error)(void);
  void (*err_error_string_n)(unsigned long, char *, size_t);
  void (*err_clear_error)(void);
} evt_ssl_api;

// Opens libssl.so.3 and fills `api` (libcrypto's functions are found through libssl's
// dependencies). Returns 0, or -1 with dlerror() saying why.
static inline int evt_ssl_load(evt_ssl_api *api) {
  void *lib = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return -1;
#define EVT_SSL_SYMBOL(field, name)                       \
  api->field = (__typeof__(api->field))dlsym(lib, name); \
  if (!api->field) return -1;
  EVT_SSL_SYMBOL(tls_client_method, "TLS_client_method")
  EVT_SSL_SYMBOL(ctx_new, "SSL_CTX_new")
  EVT_SSL_SYMBOL(ctx_free, "SSL_CTX_free")
  EVT_SSL_SYMBOL(ctx_ctrl, "SSL_CTX_ctrl")
  EVT_SSL_SYMBOL(ctx_set_verify, "SSL_CTX_set_verify")
  EVT_SSL_SYMBOL(ctx_load_verify_locations, "SSL_CTX_load_verify_locations")
  EVT_SSL_SYMBOL(ctx_set_default_verify_paths, "SSL_CTX_set_default_verify_paths")
  EVT_SSL_SYMBOL(ctx_use_certificate_chain_file, "SSL_CTX_use_certificate_chain_file")
  EVT_SSL_SYMBOL(ctx_use_private_key_file, "SSL_CTX_use_PrivateKey_file")
  EVT_SSL_SYMBOL(ctx_check_private_key, "SSL_CTX_check_private_key")
  EVT_SSL_SYMBOL(ssl_new, "SSL_new")
  EVT_SSL_SYMBOL(ssl_free, "SSL_free")
  EVT_SSL_SYMBOL(ssl_set_fd, "SSL_set_fd")
  EVT_SSL_SYMBOL(ssl_ctrl, "SSL_ctrl")
  EVT_SSL_SYMBOL(ssl_set1_host, "SSL_set1_host")
  EVT_SSL_SYMBOL(ssl_connect, "SSL_connect")
  EVT_SSL_SYMBOL(ssl_read, "SSL_read")
  EVT_SSL_SYMBOL(ssl_write, "SSL_write")
  EVT_SSL_SYMBOL(ssl_get_error, "SSL_get_error")
  EVT_SSL_SYMBOL(ssl_pending, "SSL_pending")
  EVT_SSL_SYMBOL(ssl_shutdown, "SSL_shutdown")
  EVT_SSL_SYMBOL(ssl_get_verify_result, "SSL_get_verify_result")
  EVT_SSL_SYMBOL(verify_error_string, "X509_verify_cert_error_string")
  EVT_SSL_SYMBOL(err_get_error, "ERR_get_error")
  EVT_SSL_SYMBOL(err_error_string_n, "ERR_error_string_n")
  EVT_SSL_SYMBOL(err_clear_error, "ERR_clear_error")
#undef EVT_SSL_SYMBOL
  return 0;
}

static inline const char *evt_ssl_load_error(void) {
  const char *e = dlerror();
  return e ? e : "unknown error";
}

// SSL_CTX_set_mode: partial writes, and a write retried from a buffer that moved.
static inline void evt_ssl_ctx_set_write_modes(const evt_ssl_api *api, SSL_CTX *ctx) {
  api->ctx_ctrl(ctx, SSL_CTRL_MODE, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, NULL);
}

// SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION).
static inline void evt_ssl_ctx_require_tls12(const evt_ssl_api *api, SSL_CTX *ctx) {
  api->ctx_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
}

// SSL_set_tlsext_host_name: the server name sent in the handshake (SNI).
static inline long evt_ssl_set_server_name(const evt_ssl_api *api, SSL *ssl, const char *name) {
  return api->ssl_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)name);
}
#endif
