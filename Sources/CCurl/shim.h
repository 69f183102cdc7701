#include <dlfcn.h>
#include <stddef.h>
#include <curl/curl.h>

// libcurl is not linked: it is opened with dlopen when the SMTP mailer is made, so commands
// that send no mail never load it (and the 35 libraries it pulls in). evt_curl_api holds its
// entry points; the typed wrappers below call curl_easy_setopt and curl_easy_getinfo, which
// are variadic and so cannot be called from Swift.
typedef struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_perform)(CURL *);
  void (*easy_cleanup)(CURL *);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  const char *(*easy_strerror)(CURLcode);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
} evt_curl_api;

// Opens libcurl.so.4 and fills `api`. Returns 0, or -1 with dlerror() saying why.
static inline int evt_curl_load(evt_curl_api *api) {
  void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return -1;
#define EVT_CURL_SYMBOL(field, name)                      \
  api->field = (__typeof__(api->field))dlsym(lib, name); \
  if (!api->field) return -1;
  EVT_CURL_SYMBOL(global_init, "curl_global_init")
  EVT_CURL_SYMBOL(easy_init, "curl_easy_init")
  EVT_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
  EVT_CURL_SYMBOL(easy_perform, "curl_easy_perform")
  EVT_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
  EVT_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
  EVT_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
  EVT_CURL_SYMBOL(slist_append, "curl_slist_append")
  EVT_CURL_SYMBOL(slist_free_all, "curl_slist_free_all")
#undef EVT_CURL_SYMBOL
  return 0;
}

static inline const char *evt_curl_load_error(void) {
  const char *e = dlerror();
  return e ? e : "unknown error";
}

static inline CURLcode evt_curl_set_long(const evt_curl_api *api, CURL *curl, CURLoption option, long value) {
  return api->easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_string(const evt_curl_api *api, CURL *curl, CURLoption option, const char *value) {
  return api->easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_pointer(const evt_curl_api *api, CURL *curl, CURLoption option, void *value) {
  return api->easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_read_function(const evt_curl_api *api, CURL *curl,
                                                  size_t (*function)(char *, size_t, size_t, void *)) {
  return api->easy_setopt(curl, CURLOPT_READFUNCTION, function);
}
static inline CURLcode evt_curl_set_debug_function(const evt_curl_api *api, CURL *curl,
                                                   int (*function)(CURL *, curl_infotype, char *, size_t, void *)) {
  return api->easy_setopt(curl, CURLOPT_DEBUGFUNCTION, function);
}
static inline CURLcode evt_curl_get_long(const evt_curl_api *api, CURL *curl, CURLINFO info, long *value) {
  return api->easy_getinfo(curl, info, value);
}
