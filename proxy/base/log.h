/* log.h — operator log lines: `ts level module=... key=value ...` on stderr (SPEC §8).
 * When stderr is the systemd journal, each line starts with its syslog priority instead of the
 * timestamp (`<6>info module=...`): journald stamps the time and files the priority. */
#ifndef SIPFED_LOG_H
#define SIPFED_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Set the threshold; lines above it cost one comparison. Set once at start-up and on reload. */
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
/* Parse "error|warn|info|debug"; returns 0 or EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

/* True when `journal_stream` (the value of $JOURNAL_STREAM, "DEVICE:INODE") names the file
 * open on `fd`: systemd connected it to the journal (systemd.exec(5), $JOURNAL_STREAM). */
bool log_fd_is_journal(const char *journal_stream, int fd);
/* Journal format on or off: `<N>` syslog priority prefixes, no timestamp. Set once at start-up
 * (main: `log_fd_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO)`). */
void log_set_journal(bool on);
bool log_journal(void);
/* The syslog priority of a level: error 3, warn 4, info 6, debug 7. */
int log_priority(enum log_level level);

/* Write one plain text line (start-up messages, `file:line: message`): with its `<N>` prefix in
 * journal format, as is otherwise. Not filtered by the threshold. */
void log_text(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write one line: timestamp, level, `module=MODULE`, then the formatted key=value text. */
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_AT(lvl, module, ...) \
    do { if (log_enabled(lvl)) log_write((lvl), (module), __VA_ARGS__); } while (0)
#define log_error(module, ...) LOG_AT(LOG_LVL_ERROR, module, __VA_ARGS__)
#define log_warn(module, ...)  LOG_AT(LOG_LVL_WARN, module, __VA_ARGS__)
#define log_info(module, ...)  LOG_AT(LOG_LVL_INFO, module, __VA_ARGS__)
#define log_debug(module, ...) LOG_AT(LOG_LVL_DEBUG, module, __VA_ARGS__)

#endif
