#ifndef EVT_CHIREDIS_SHIM_H
#define EVT_CHIREDIS_SHIM_H
// hiredis 0.14 as Debian ships it (pkg-config adds -I/usr/include/hiredis).
#include <hiredis.h>
#endif
