#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// wrapper per argument kind.
static inline CURLcode evt_curl_set_long(CURL *curl, CURLoption option, long value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_string(CURL *curl, CURLoption option, const char *value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode evt_curl_set_read_function(CURL *curl, size_t (*function)(char *, size_t, size_t, void *)) {
  return curl_easy_setopt(curl, CURLOPT_READFUNCTION, function);
}
static inline CURLcode evt_curl_get_long(CURL *curl, CURLINFO info, long *value) {
  return curl_easy_getinfo(curl, info, value);
}
static inline CURLcode evt_curl_set_debug_function(CURL *curl, int (*function)(CURL *, curl_infotype, char *, size_t, void *)) {
  return curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, function);
}
