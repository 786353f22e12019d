/* stream_read.h — the cap on one read from a TCP connection (stream_read.c says why). */
#ifndef SIPFED_STREAM_READ_H
#define SIPFED_STREAM_READ_H

#include <stdbool.h>

/* Bytes sofia reads from a stream socket per poll turn: about 20 MESSAGEs of 800 bytes; the
 * parser's copy of the unparsed rest then costs ~8 kB per message instead of half the backlog. */
enum { STREAM_READ_CHUNK = 16384 };

/* true when sofia's su_getmsgsize is bound to stream_read.c's */
bool stream_read_in_effect(void);

#endif
