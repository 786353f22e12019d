/* version.h — the sipfed version, shown by `--version`, /status and sipfed_build_info. */
#ifndef SIPFED_VERSION_H
#define SIPFED_VERSION_H

#define SIPFED_VERSION "0.1.0"

#endif
