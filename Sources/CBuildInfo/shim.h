#ifndef EVT_CBUILDINFO_SHIM_H
#define EVT_CBUILDINFO_SHIM_H
// What `evt version --json` says of the build. scripts/lib.sh (build_release) and
// scripts/package write build-info.h beside this file (git ignores it) with the commit and the
// time of the build; a plain `swift build` without it says neither.
#if __has_include("build-info.h")
#include "build-info.h"
#endif
#ifndef EVT_BUILD_COMMIT
#define EVT_BUILD_COMMIT ""
#endif
#ifndef EVT_BUILD_DATE
#define EVT_BUILD_DATE ""
#endif
static inline const char *evt_build_commit(void) { return EVT_BUILD_COMMIT; }
static inline const char *evt_build_date(void) { return EVT_BUILD_DATE; }
#endif
