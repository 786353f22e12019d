/* unreadable.h — messages nobody can read, as one log episode and a counter (docs/errors.md).
 *
 * A datagram with no line end, binary bytes, a first line that is no request or status line
 * (sip_mclass.h), or any message in which sofia finds no request or status line reaches nta as
 * "garbage": nta drops it (nothing can be answered) and says so only in its debug log, naming
 * our listening port instead of the sender's. An operator must see that such traffic arrives
 * and from where, but a line per message would let anyone fill the log. So the first unreadable
 * message starts an episode, logged at warn with its real sender and why
 * (`event=unreadable_start src=IP:PORT/udp reason="..."`, and `request="..."` when a first line
 * was read); the first message of each other sender address in the episode gets its own line
 * (`event=unreadable_sender`), up to UNREADABLE_SENDERS_MAX addresses; the end line
 * (`event=unreadable_end dropped=N seconds=S senders=K unnamed_dropped=M`, M: messages from
 * senders beyond those) follows once none arrived for UNREADABLE_QUIET_MS;
 * sipfed_unreadable_messages_total counts them all.
 *
 * The sender comes from an interposed tport_delivered_from() (nta's garbage path asks it, with
 * the message, just before its log line); sofialog.c's garbage line calls unreadable_note(). */
#ifndef SIPFED_UNREADABLE_H
#define SIPFED_UNREADABLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct su_root_s su_root_t;

/* An episode ends when no unreadable message arrived for this long. */
enum { UNREADABLE_QUIET_MS = 10000 };
/* An episode names at most this many senders (addresses); messages from others are counted. */
enum { UNREADABLE_SENDERS_MAX = 8 };

struct unreadable;

/* The episode state on `root` (its end is a timer). Returns 0 or ENOMEM. */
int unreadable_create(su_root_t *root, struct unreadable **out);
/* nta dropped one message it could not read; the sender noted by the hook, if any, is named.
 * A message of whitespace only (a CRLF keep-alive datagram, a CRLF left on a stream closed
 * after it) is a keep-alive, not counted. */
void unreadable_note(struct unreadable *u);
/* Unreadable messages since start. */
uint64_t unreadable_count(const struct unreadable *u);
void unreadable_destroy(struct unreadable *u);

/* True when sofia's calls to tport_delivered_from() reach ours (the sender can be named). */
bool unreadable_hook_in_effect(void);

#endif
